package io.aisdistill.jobs.lakehouse;

import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;

/**
 * SQL conditions on the {@code date} partition column of the lakehouse tables (the UTC date of a
 * report or a window), for {@code where} and Delta's MERGE conditions: a stage that touches a few
 * dates names them, so that Delta reads and rewrites only their partitions.
 */
public final class DatePartitions {
  private DatePartitions() {}

  /**
   * The condition {@code column IN (DATE'yyyy-mm-dd', ...)} on {@code dates}, literals sorted and
   * distinct; with {@code OR column IS NULL} (the whole in parentheses) when one of them is null;
   * {@code false} when there are none.
   *
   * @param column the column as SQL names it, e.g. {@code date} or {@code t.date}
   * @param dates {@link java.time.LocalDate} or {@link java.sql.Date} values (as Spark returns a
   *     DateType column), or strings {@code yyyy-mm-dd}; nulls allowed
   * @throws NullPointerException if {@code column} or {@code dates} is null
   */
  public static String in(String column, Collection<?> dates) {
    Objects.requireNonNull(column, "column");
    TreeSet<String> lits = new TreeSet<>();
    boolean undated = false;
    for (Object d : dates) {
      if (d == null) {
        undated = true;
      } else {
        lits.add("DATE'" + d + "'");
      }
    }
    String in = lits.isEmpty() ? "false" : column + " IN (" + String.join(", ", lits) + ")";
    return undated ? "(" + in + " OR " + column + " IS NULL)" : in;
  }
}
