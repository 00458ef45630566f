package io.distillery.trainer.labels;

/** What a {@link LabelFeed} yields: a label, a record that cannot be used, or the end of a pass. */
public sealed interface FeedItem {

  /** A decoded label. */
  record Label(SoftLabel label) implements FeedItem {}

  /** A record that cannot be trained on; it still counts as consumed. */
  record Rejected(int partition, long offset, SkipReason reason, String detail)
      implements FeedItem {}

  /** Every partition reached the end of the range given to {@link LabelFeed#start}. */
  record EndOfRange() implements FeedItem {}
}
