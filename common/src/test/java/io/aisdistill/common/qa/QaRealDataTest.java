package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.SharedData;
import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ingest.CollectingSink;
import io.aisdistill.common.ingest.CsvRealDataTest;
import io.aisdistill.common.ingest.InputFormat;
import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.judge.Verdict;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.common.track.Segmenter;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.WindowConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The grounded teacher and judge on windows of real AIS (NOAA MarineCadastre 2022, DMA): every
 * pair the teacher writes passes the judge, traces included (every cited number in the prompt or
 * derived), and no student prompt holds a computed fact.
 */
@Tag("shared-data")
class QaRealDataTest {

  static List<TrackWindow> windows(String rel, InputFormat f) throws IOException {
    CollectingSink s = CsvRealDataTest.parseFile(rel, f);
    List<PositionReport> ps = new ArrayList<>(s.positions);
    ps.sort(Comparator.comparingLong(PositionReport::mmsi).thenComparingLong(PositionReport::tsMillis));
    List<TrackWindow> out = new ArrayList<>();
    Segmenter seg = new Segmenter(WindowConfig.defaults(), FlagStates::forMmsi, out::add);
    ps.forEach(seg::accept);
    seg.finish();
    return out;
  }

  /** The export's default system prompt (jobs TrainingConfig.DEFAULT_SYSTEM_PROMPT). */
  static final String SYSTEM = "You are a maritime analyst. You answer questions about one window of a vessel's AIS "
      + "track using only the data given, with units spelled out.";

  @Test
  void everyGroundedPairPassesTheJudgeWithinTheTokenBudget() throws IOException {
    List<TrackWindow> ws = new ArrayList<>(windows("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv",
        InputFormat.MARINECADASTRE_CSV));
    ws.addAll(windows("dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv", InputFormat.DMA_CSV));
    ws.addAll(windows("noaa_marinecadastre/trajectools_ais_boston_2014-01-01_to_07.csv", InputFormat.MARINECADASTRE_CSV));
    ws.addAll(windows("noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.points.csv",
        InputFormat.MARINECADASTRE_CSV));
    assertTrue(ws.size() > 1000, "windows: " + ws.size());
    GroundedTeacher teacher = new GroundedTeacher();
    GroundedJudge judge = new GroundedJudge();
    List<Integer> lengths = new ArrayList<>();
    TokenCounter tok = TokenCounter.load(SharedData.root().resolve("models/qwen2.5-tokenizer"));
    Map<String, Integer> perTemplate = new TreeMap<>();
    Map<String, List<String>> failures = new TreeMap<>();
    int pairs = 0;
    for (TrackWindow w : ws) {
      for (QaPair q : teacher.generate(w)) {
        pairs++;
        perTemplate.merge(q.templateId(), 1, Integer::sum);
        Verdict v = judge.judge(q, w);
        if (pairs % 97 == 0) { // a deterministic sample of the chats, counted as the export counts them
          lengths.add(tok.countChat(List.of(new TokenCounter.Message("system", SYSTEM),
              new TokenCounter.Message("user", WindowPrompt.studentPrompt(w, q.question())),
              new TokenCounter.Message("assistant", "Reasoning: " + q.reasoning() + "\n\nAnswer: " + q.answer())), false));
        }
        if (!v.accepted()) {
          List<String> f = failures.computeIfAbsent(q.templateId() + " " + v.reasonCodes(), k -> new ArrayList<>());
          if (f.size() < 2) {
            f.add(v.traceUnsupported() + " | " + q.question() + " | " + q.answer() + " | " + q.reasoning());
          }
        }
      }
    }
    lengths.sort(null);
    int p95 = lengths.get((int) Math.ceil(0.95 * lengths.size()) - 1);
    System.out.println("windows=" + ws.size() + " pairs=" + pairs + " templates=" + perTemplate.size() + " chats="
        + lengths.size() + " p50_tokens=" + lengths.get(lengths.size() / 2) + " p95_tokens=" + p95 + " max_tokens="
        + lengths.get(lengths.size() - 1));
    failures.forEach((k, v) -> System.out.println("FAIL " + k + "\n  " + String.join("\n  ", v)));
    assertEquals(Map.of(), failures, "pairs the grounded judge rejects");
    assertTrue(perTemplate.size() >= 40, "templates used: " + perTemplate.keySet());
    assertTrue(p95 <= 2048, "p95 chat length in Qwen2.5 tokens: " + p95);
  }
}
