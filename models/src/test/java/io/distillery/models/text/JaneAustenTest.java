package io.distillery.models.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the real Debian package r-cran-janeaustenr (CI installs it; see models/README.md). The
 * expected numbers were checked against R's own {@code library(janeaustenr)}.
 */
class JaneAustenTest {

  @Test
  void readsTheSixNovelsAsRStoresThem() throws Exception {
    Map<String, List<String>> lines = JaneAusten.lines(JaneAusten.locate(null));
    assertEquals(
        Map.of(
            "emma", 16235,
            "mansfieldpark", 15349,
            "northangerabbey", 7856,
            "persuasion", 8328,
            "prideprejudice", 13030,
            "sensesensibility", 12624),
        Map.copyOf(
            lines.entrySet().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().size()))));
    assertEquals(
        List.of("Persuasion", "", "", "by", "", "Jane Austen"),
        lines.get("persuasion").subList(0, 6));
    assertEquals("EMMA", lines.get("emma").get(0));
  }

  @Test
  void holdsOutPersuasionAndTrainsOnTheOtherFive() throws Exception {
    Path dir = JaneAusten.locate(null);
    TextCorpus train = JaneAusten.training(dir);
    TextCorpus heldOut = JaneAusten.heldOut(dir);
    assertEquals(
        List.of("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey"),
        train.documents().stream().map(Document::id).toList());
    assertEquals(1, heldOut.documents().size());
    // R: sum(nchar(persuasion, type = "bytes")) + length(persuasion) lines' newlines.
    assertEquals(458_526 + 8_328, heldOut.utf8Bytes());
    assertEquals(866_793 + 16_235, novel(dir, "emma").utf8Bytes());
    assertTrue(novel(dir, "mansfieldpark").text().contains("her £20,000"), "the one UTF-8 line");
  }

  @Test
  void saysWhereItLookedAndWhichPackageToInstall(@TempDir Path empty) {
    FileNotFoundException e =
        assertThrows(FileNotFoundException.class, () -> JaneAusten.locate(empty.toString()));
    assertTrue(e.getMessage().contains("r-cran-janeaustenr"), e.getMessage());
    assertTrue(e.getMessage().contains("data/Rdata.rdb"), e.getMessage());
    assertTrue(e.getMessage().contains(JaneAusten.ENV), e.getMessage());
  }

  private static Document novel(Path dir, String name) throws Exception {
    return JaneAusten.novels(dir).stream()
        .filter(d -> d.id().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
