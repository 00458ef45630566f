package io.distillery.trainer.job;

import io.distillery.proto.v1.TeacherCard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct teacher cards a job has trained on, in the order first seen: the lineage its
 * checkpoints record. A card is identified by model id, version and artifact sha256.
 */
public final class TeacherCards {

  private final Map<String, TeacherCard> cards = new LinkedHashMap<>();
  private final Map<TeacherCard, Boolean> seen = new IdentityHashMap<>();

  /** Adds cards not seen before. */
  public void addAll(Collection<TeacherCard> more) {
    for (TeacherCard card : more) {
      // Cheap path per step: the same (interned) instance again.
      if (seen.put(card, Boolean.TRUE) == null) {
        cards.putIfAbsent(key(card), card);
      }
    }
  }

  /** The cards, first seen first. */
  public List<TeacherCard> cards() {
    return new ArrayList<>(cards.values());
  }

  /** The identity of a card: model id, version and artifact digest. */
  public static String key(TeacherCard card) {
    return card.getModelId() + "\u0000" + card.getVersion() + "\u0000" + card.getArtifactSha256();
  }
}
