package io.aisdistill.jobs.stage;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A lazy iterator over the output of a push-style consumer: items of {@code upstream} are fed to
 * {@link #accept} one at a time, only while no output is buffered, and whatever {@link #emit} is
 * given comes out in order. When {@code upstream} is exhausted, {@link #finish} runs exactly once
 * (it may still emit). So a Spark partition can be transformed by a streaming parser or segmenter
 * without holding the partition in memory: the buffer holds only what one input item (or the
 * finish step) produced.
 *
 * <p>Subclasses implement {@link #accept} and {@link #finish}; a consumer built in a subclass
 * field initializer may take {@code this::emit} as its output. Not thread-safe, like any
 * iterator.
 *
 * @param <I> upstream item type
 * @param <O> output item type
 */
public abstract class PullIterator<I, O> implements Iterator<O> {
  private final Iterator<? extends I> upstream;
  private final ArrayDeque<O> buffer = new ArrayDeque<>();
  private boolean finished;

  /** @param upstream the items to consume, pulled lazily */
  protected PullIterator(Iterator<? extends I> upstream) {
    this.upstream = upstream;
  }

  /** Consumes one upstream item; may call {@link #emit} any number of times. */
  protected abstract void accept(I item);

  /** Runs once after the last upstream item; may call {@link #emit} any number of times. */
  protected abstract void finish();

  /**
   * Queues one output item (in the order of the calls).
   *
   * @throws NullPointerException when {@code item} is null
   */
  protected final void emit(O item) {
    buffer.add(item);
  }

  /** Pulls upstream items (and finally runs {@link #finish}) until an output item is buffered or none will come. */
  @Override
  public final boolean hasNext() {
    while (buffer.isEmpty() && !finished) {
      if (upstream.hasNext()) {
        accept(upstream.next());
      } else {
        finished = true;
        finish();
      }
    }
    return !buffer.isEmpty();
  }

  /**
   * The next output item.
   *
   * @throws NoSuchElementException when there is none: upstream is exhausted and finished
   */
  @Override
  public final O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return buffer.poll();
  }
}
