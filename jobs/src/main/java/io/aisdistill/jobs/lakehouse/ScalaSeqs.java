package io.aisdistill.jobs.lakehouse;

import java.util.List;

/** Scala sequences for the Spark APIs that take them from Java (e.g. the column names of a join). */
public final class ScalaSeqs {
  private ScalaSeqs() {}

  /**
   * {@code names} as an immutable Scala sequence, in order (e.g. the using-columns of
   * {@code Dataset.join}).
   *
   * @throws NullPointerException if {@code names} or one of them is null
   */
  public static scala.collection.immutable.Seq<String> of(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toList();
  }
}
