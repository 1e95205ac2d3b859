package io.aisdistill.jobs.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link PullIterator}: laziness, order, the finish step, the end. */
class PullIteratorTest {

  /** Emits each item {@code n} as n copies of "n" (0 emits nothing), and "end" from finish. */
  private static final class Repeat extends PullIterator<Integer, String> {
    int finishes;
    int accepted;
    final boolean emitAtFinish;

    Repeat(Iterator<Integer> upstream, boolean emitAtFinish) {
      super(upstream);
      this.emitAtFinish = emitAtFinish;
    }

    @Override
    protected void accept(Integer n) {
      accepted++;
      for (int i = 0; i < n; i++) {
        emit(Integer.toString(n));
      }
    }

    @Override
    protected void finish() {
      finishes++;
      if (emitAtFinish) {
        emit("end");
      }
    }
  }

  private static List<String> drain(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void emptyUpstreamRunsFinishOnceAndEnds() {
    Repeat it = new Repeat(List.<Integer>of().iterator(), false);
    assertFalse(it.hasNext());
    assertFalse(it.hasNext());
    assertEquals(1, it.finishes);
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(1, it.finishes);
  }

  @Test
  void finishMayEmitTheOnlyItems() {
    Repeat it = new Repeat(List.of(0, 0, 0).iterator(), true);
    assertEquals(List.of("end"), drain(it));
    assertEquals(3, it.accepted);
    assertEquals(1, it.finishes);
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void manyItemsComeOutInOrderAndLazily() {
    List<Integer> in = IntStream.rangeClosed(0, 2000).map(i -> i % 4).boxed().toList();
    Repeat it = new Repeat(in.iterator(), true);
    assertTrue(it.hasNext());
    assertEquals(2, it.accepted, "pulls only until something is buffered (0 emits nothing, 1 emits one)");
    assertEquals(0, it.finishes);
    List<String> expected = new ArrayList<>();
    for (int n : in) {
      for (int i = 0; i < n; i++) {
        expected.add(Integer.toString(n));
      }
    }
    expected.add("end");
    assertEquals(expected, drain(it));
    assertEquals(in.size(), it.accepted);
    assertEquals(1, it.finishes);
  }

  @Test
  void nextWithoutHasNextAndAfterTheEnd() {
    Repeat it = new Repeat(List.of(2).iterator(), false);
    assertEquals("2", it.next());
    assertEquals("2", it.next());
    assertThrows(NoSuchElementException.class, it::next);
    assertFalse(it.hasNext());
    assertEquals(1, it.finishes);
  }
}
