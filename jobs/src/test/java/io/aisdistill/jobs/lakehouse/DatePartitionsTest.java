package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aisdistill.jobs.SparkTestSession;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * {@link DatePartitions#in}: the literals are sorted and distinct whatever the input order and
 * type, a null date adds {@code IS NULL}, no date is {@code false}; and Spark selects with it
 * exactly the rows of those dates.
 */
class DatePartitionsTest {

  @Test
  void namesEachDateOnceInOrder() {
    assertEquals("t.date IN (DATE'2024-01-02', DATE'2024-01-03')", DatePartitions.in("t.date",
        List.of(Date.valueOf("2024-01-03"), LocalDate.of(2024, 1, 2), "2024-01-03")));
    assertEquals("(date IN (DATE'2024-01-02') OR date IS NULL)",
        DatePartitions.in("date", Arrays.asList(null, LocalDate.of(2024, 1, 2), null)));
    assertEquals("false", DatePartitions.in("date", List.of()));
    assertEquals("(false OR date IS NULL)", DatePartitions.in("date", Arrays.asList((Object) null)));
  }

  @Test
  void selectsTheRowsOfThoseDates() {
    Dataset<Row> df = SparkTestSession.get().sql("SELECT id, CASE WHEN id % 4 = 3 THEN NULL ELSE date_add(DATE'2024-01-01', "
        + "CAST(id % 4 AS INT)) END AS date FROM range(40)");
    List<Object> dates = Arrays.asList(Date.valueOf("2024-01-02"), null);
    long want = df.where("date = DATE'2024-01-02' OR date IS NULL").count();
    assertEquals(20, want);
    assertEquals(want, df.where(functions.expr(DatePartitions.in("date", dates))).count());
    assertEquals(0, df.where(DatePartitions.in("date", List.of())).count());
    assertEquals(10, df.where(DatePartitions.in("date", List.of(LocalDate.of(2024, 1, 1)))).count());
  }
}
