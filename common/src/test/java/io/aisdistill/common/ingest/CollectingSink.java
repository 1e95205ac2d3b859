package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import java.util.ArrayList;
import java.util.List;

/** Test sink keeping everything it receives. */
public final class CollectingSink implements RecordSink {
  public final List<PositionReport> positions = new ArrayList<>();
  public final List<RejectRecord> rejects = new ArrayList<>();
  public final List<String> skipped = new ArrayList<>();

  @Override
  public void position(PositionReport p) {
    positions.add(p);
  }

  @Override
  public void staticReport(StaticReport s) {
    throw new AssertionError("CSV parser emitted a static report");
  }

  @Override
  public void reject(RejectRecord r) {
    rejects.add(r);
  }

  @Override
  public void skipped(String kind) {
    skipped.add(kind);
  }

  public int total() {
    return positions.size() + rejects.size() + skipped.size();
  }
}
