package dev.nodedaemon.cli;

/**
 * A rollout as a bar of characters, for the live line of {@code status} on a terminal. Pure.
 *
 * <pre>
 * [########++++........] 8/20 available, 12/20 updated
 * </pre>
 *
 * '#' is a node of the rollout's target that runs the update revision, available; '+' one that runs
 * it but is not available yet; '.' one still to be updated. Each kind gets its cells by rounding
 * down, except that a kind with any node gets at least one cell, so a single node that moved is
 * always visible.
 */
final class ProgressBar {

  static final int WIDTH = 30;

  private ProgressBar() {}

  static String render(int updatedAvailable, int updated, int target, int width) {
    int total = Math.max(target, 0);
    int done = clamp(updatedAvailable, 0, total);
    int moving = clamp(updated, done, total) - done;
    int doneCells = cells(done, total, width);
    int movingCells = Math.min(cells(moving, total, width), width - doneCells);
    StringBuilder bar = new StringBuilder(width + 40).append('[');
    bar.append("#".repeat(doneCells));
    bar.append("+".repeat(movingCells));
    bar.append(".".repeat(width - doneCells - movingCells));
    return bar.append("] ")
        .append(done)
        .append('/')
        .append(total)
        .append(" available, ")
        .append(done + moving)
        .append('/')
        .append(total)
        .append(" updated")
        .toString();
  }

  private static int cells(int count, int total, int width) {
    if (count <= 0 || total <= 0) {
      return 0;
    }
    if (count >= total) {
      return width;
    }
    return Math.clamp((long) count * width / total, 1, width - 1);
  }

  private static int clamp(int value, int low, int high) {
    return Math.max(low, Math.min(high, value));
  }
}
