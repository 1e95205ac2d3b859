package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The ingest stage's writes: rows whose key is not yet in the table are inserted
 * ({@link Lakehouse#insertNew}), so re-ingesting a file adds nothing. Positions go in first, then
 * static reports, then rejects.
 */
final class IngestSink {
  /** The key of {@code ais_rejects}: a record is rejected once per reason. */
  static final List<String> REJECT_KEY = List.of("source", "source_record", "reason");

  private final Lakehouse lh;

  IngestSink(Lakehouse lh) {
    this.lh = lh;
  }

  /**
   * Rows new in each table.
   *
   * @param positions rows inserted into ais_positions
   * @param statics rows inserted into ais_static
   * @param rejects rows inserted into ais_rejects
   */
  record Written(long positions, long statics, long rejects) {}

  /**
   * Inserts the new rows of the three tables.
   *
   * @param positions rows of {@link Tables#POSITIONS_SCHEMA}, new on {@link Tables#POSITION_KEY},
   *     partitioned by date
   * @param statics rows of {@link Tables#STATIC_SCHEMA}, new on {@link Tables#STATIC_KEY}
   * @param anyStatics whether the run parsed static reports at all: without any, an existing
   *     ais_static is left untouched (no write, 0 new rows)
   * @param rejects rows of {@link Tables#REJECTS_SCHEMA}, new on {@link #REJECT_KEY}
   */
  Written write(Dataset<Row> positions, Dataset<Row> statics, boolean anyStatics, Dataset<Row> rejects) {
    long newPositions = lh.insertNew(positions, Tables.POSITIONS, Tables.POSITION_KEY, List.of("date"));
    long newStatic = !anyStatics && lh.exists(Tables.STATIC) ? 0
        : lh.insertNew(statics, Tables.STATIC, Tables.STATIC_KEY, List.of());
    long newRejects = lh.insertNew(rejects, Tables.REJECTS, REJECT_KEY, List.of());
    return new Written(newPositions, newStatic, newRejects);
  }
}
