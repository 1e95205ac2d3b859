package io.aisdistill.jobs.stage.export;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.text.Markdown;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code dataset_card.md} of an export directory: a Hugging Face dataset card (YAML front matter
 * with license, task_categories, language, size_categories, pretty_name, tags and the split files;
 * then Markdown) describing what was exported: examples per split and category, fact types
 * (qa_candidates.template_id / fact_key), strata (table {@code window_selection}, when the
 * lakehouse has it), answer distributions (top values per template), the trivial and copy shares
 * ({@code docs/qa-facts.md} section 5), token lengths (n_tokens percentiles), the teacher mix, the
 * verification agreement ({@code verify.json} in the export directory, when present) and the
 * sources and licences of the AIS data behind the exported vessels.
 *
 * <p>Deterministic: no time stamps; every table is sorted; the inputs are the exported rows, the
 * tables at the export's pinned Delta versions, and (at their current versions, recorded in the
 * card) {@code window_selection} and {@code ais_positions}. The card is not listed in the
 * manifest: it documents the export and is rewritten by a re-export once {@code verify.json}
 * exists (the data files and the manifest stay byte-identical).
 */
public final class DatasetCard {
  private DatasetCard() {}

  /** File name of the card in the export directory. */
  public static final String FILE = "dataset_card.md";
  /** Verification results written into the export directory by a later check (optional). */
  public static final String VERIFY_FILE = "verify.json";
  /** Table of the window selection (window_id, stratum), written by the selection stage (optional; ignored without those columns). */
  public static final String SELECTION_TABLE = "window_selection";
  /** A pair is trivial when the window's max valid SOG is below this, knots ... */
  static final double TRIVIAL_SOG_KN = 0.5;
  /** ... and its track distance below this, nautical miles. */
  static final double TRIVIAL_DISTANCE_NM = 0.1;
  /** Most rows of the fact-type table (the rest are summed in one line). */
  static final int MAX_FACT_ROWS = 60;
  /** Answer values listed per template. */
  static final int TOP_ANSWERS = 3;

  /** The AIS data behind the export: a data source and its terms. */
  enum Source {
    NOAA("NOAA MarineCadastre (US Coast Guard NAIS, distributed by NOAA Office for Coastal Management and BOEM)",
        "US Government work, public domain in the US. Courtesy citation: \"MarineCadastre.gov, BOEM & NOAA\"."),
    USCG("US Coast Guard NAIS raw feed", "US Government work, public domain in the US."),
    DMA("Danish Maritime Authority (DMA)", "Contains data from the Danish Maritime Authority that is used in "
        + "accordance with the conditions for the use of Danish public data. Free use, including commercial; "
        + "attribution required; DMA accepts no liability."),
    SIMULATED("Simulated by ais-distill (io.aisdistill.common.sim.AisSimulator)",
        "Not real AIS data; no third-party terms."),
    OTHER("Other AIS samples", "Terms of the individual file: see its provenance (../shared/data/ais/SOURCES.md).");

    final String label;
    final String terms;

    Source(String label, String terms) {
      this.label = label;
      this.terms = terms;
    }

    /** The source of an input file, from its path (folder and file names of the samples and datasets). */
    static Source of(String path) {
      String p = path.replace('\\', '/').toLowerCase(Locale.ROOT);
      String name = p.substring(p.lastIndexOf('/') + 1);
      if (p.contains("/dma_denmark/") || name.startsWith("aisdk") || name.contains("_dk_")) {
        return DMA;
      }
      if (p.contains("/uscg_nais/")) {
        return USCG;
      }
      if (p.contains("/noaa_marinecadastre/") || p.contains("/noaa_tracktable_traj/") || name.startsWith("ais_20")) {
        return NOAA;
      }
      if (name.contains("simulated") || p.contains("/data-samples/")) {
        return SIMULATED;
      }
      return OTHER;
    }
  }

  /**
   * One exported example with what the card needs.
   *
   * @param claim the answer's value (qa_candidates.claim), null when the pair states none
   * @param trivial the window's max SOG below {@link #TRIVIAL_SOG_KN} (or none) and distance below
   *     {@link #TRIVIAL_DISTANCE_NM}
   * @param copy the claim occurs as a whole cell or value of the student prompt ({@link #copied})
   * @param stratum the window's stratum in window_selection, null when it has none
   */
  record Example(String split, String windowId, String category, String templateId, String factKey, String claim,
      String teacher, int nTokens, boolean trivial, boolean copy, String stratum) {}

  /**
   * The input file of some exported vessels.
   *
   * @param file the last two path elements (folder/file), so the card does not depend on where the data lay
   * @param vessels exported vessels with positions from this file
   */
  record SourceFile(String file, Source source, long vessels) {}

  /**
   * Everything the card shows besides the examples.
   *
   * @param manifest the export's manifest (export_id, counts, tokenizer, prompt_version)
   * @param selectionVersion Delta version of window_selection read, or -1 when the table is missing
   *     (or lacks the columns window_id and stratum)
   * @param positionsVersion Delta version of ais_positions read, or -1 when the table is missing
   * @param verify verify.json's content, or null when it is missing
   * @param verifyProblem why verify.json could not be read, or null
   */
  record Context(Map<String, Object> manifest, long selectionVersion, long positionsVersion, List<SourceFile> sources,
      JsonNode verify, String verifyProblem) {}

  /**
   * Writes {@code out/dataset_card.md} for the exported rows.
   *
   * @param versions the Delta versions the export read (qa_candidates and track_windows are read at them)
   * @param exported the exported rows (split, qa_id, window_id, mmsi, category, messages, n_tokens)
   * @param manifest the manifest as written
   * @return the card's path
   * @throws IOException when the card cannot be written
   */
  static Path write(Lakehouse lh, Map<String, Long> versions, Dataset<Row> exported, Path out,
      Map<String, Object> manifest) throws IOException {
    Dataset<Row> cands = lh.readAt(Tables.QA_CANDIDATES, versions.get(Tables.QA_CANDIDATES));
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, versions.get(Tables.WINDOWS));
    long selVersion = lh.exists(SELECTION_TABLE)
        && List.of(lh.read(SELECTION_TABLE).columns()).containsAll(List.of("window_id", "stratum"))
        ? lh.version(SELECTION_TABLE) : -1;
    List<Example> examples = ExportTransforms.cardExamples(exported, cands, windows,
        selVersion >= 0 ? lh.read(SELECTION_TABLE) : null);
    long posVersion = lh.exists(Tables.POSITIONS) ? lh.version(Tables.POSITIONS) : -1;
    List<SourceFile> sources = posVersion >= 0 ? ExportTransforms.sourceFiles(exported, lh.read(Tables.POSITIONS))
        : new ArrayList<>();
    JsonNode verify = null;
    String problem = null;
    Path vf = out.resolve(VERIFY_FILE);
    if (Files.isRegularFile(vf)) {
      try {
        verify = new ObjectMapper().readTree(vf.toFile());
      } catch (IOException e) {
        problem = "verify.json is not valid JSON: " + e.getMessage().lines().findFirst().orElse("");
      }
    }
    String card = render(examples, new Context(manifest, selVersion, posVersion, sources, verify, problem));
    Path f = out.resolve(FILE);
    Files.writeString(f, card, StandardCharsets.UTF_8);
    return f;
  }

  /** The last two elements of a path or URI ("folder/file"). */
  static String shortName(String path) {
    String[] p = path.replace('\\', '/').split("/");
    return p.length >= 2 ? p[p.length - 2] + "/" + p[p.length - 1] : path;
  }

  /**
   * True when {@code value} occurs in {@code prompt} as a whole cell or token: the occurrence is
   * delimited on both sides by the start or end of the prompt, white space or one of
   * {@code | ; , ( ) [ ] =}, or, after it, a full stop that ends a sentence (followed by white
   * space or the end). So "12.3" is a copy of the cell "12.3" but not of "12.34" or "-12.3", "10:02"
   * is not a copy of the time "10:02:11", and "NORDIC" is a copy of a word of the name "NORDIC
   * STAR". Null or blank values are never copies.
   */
  public static boolean copied(String prompt, String value) {
    if (prompt == null || value == null || value.isBlank()) {
      return false;
    }
    String v = value.strip();
    for (int i = prompt.indexOf(v); i >= 0; i = prompt.indexOf(v, i + 1)) {
      int end = i + v.length();
      boolean before = i == 0 || delimiter(prompt.charAt(i - 1));
      boolean after = end == prompt.length() || delimiter(prompt.charAt(end))
          || prompt.charAt(end) == '.' && (end + 1 == prompt.length() || Character.isWhitespace(prompt.charAt(end + 1)));
      if (before && after) {
        return true;
      }
    }
    return false;
  }

  private static boolean delimiter(char c) {
    return Character.isWhitespace(c) || "|;,()[]=".indexOf(c) >= 0;
  }

  /** The Hugging Face size category of {@code n} examples. */
  public static String sizeCategory(long n) {
    if (n < 1_000) {
      return "n<1K";
    }
    String[] names = {"1K", "10K", "100K", "1M", "10M", "100M", "1B"};
    long lo = 1_000;
    for (int i = 0; i + 1 < names.length; i++, lo *= 10) {
      if (n < lo * 10) {
        return names[i] + "<n<" + names[i + 1];
      }
    }
    return "n>1T";
  }

  /** The nearest-rank {@code q} percentile (0 < q <= 1) of sorted values; 0 when there are none. */
  public static int percentile(List<Integer> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  /** The card's text (pure: same arguments, same text). */
  static String render(List<Example> examples, Context ctx) {
    List<Example> ex = examples;
    Map<String, Object> m = ctx.manifest();
    String exportId = String.valueOf(m.get("export_id"));
    long n = ex.size();
    Map<Source, Long> present = new TreeMap<>();
    ctx.sources().forEach(s -> present.merge(s.source(), s.vessels(), Long::sum));
    StringBuilder b = new StringBuilder();
    b.append("---\n");
    b.append("pretty_name: \"ais-distill vessel-track QA (export ").append(exportId).append(")\"\n");
    b.append("license: other\n");
    b.append("license_name: ais-source-terms\n");
    b.append("license_details: >-\n  QA text generated by ais-distill from AIS position reports. The AIS data keep the"
        + " terms of their\n  sources (see Sources and licences): ")
        .append(present.isEmpty() ? "not recorded"
            : present.keySet().stream().map(s -> s.label + ": " + s.terms).collect(Collectors.joining(" ")).replace("\"", "'"))
        .append("\n");
    b.append("language:\n- en\n");
    b.append("multilinguality:\n- monolingual\n");
    b.append("task_categories:\n- question-answering\n- text-generation\n");
    b.append("task_ids:\n- closed-domain-qa\n");
    b.append("annotations_creators:\n- machine-generated\n");
    b.append("language_creators:\n- machine-generated\n");
    b.append("source_datasets:\n- original\n");
    b.append("size_categories:\n- ").append(sizeCategory(n)).append("\n");
    b.append("tags:\n- ais\n- maritime\n- vessel-tracking\n- trajectories\n- synthetic\n- distillation\n- chat\n");
    b.append("configs:\n- config_name: default\n  data_files:\n");
    for (String s : ExportStage.SPLITS) {
      b.append("  - split: ").append(s).append("\n    path: jsonl/").append(s).append(".jsonl\n");
    }
    b.append("---\n\n");

    b.append("# ais-distill vessel-track QA, export ").append(exportId).append("\n\n");
    b.append("Question-answer pairs about single vessel tracks, built from AIS position reports by ais-distill ")
        .append("(track windows, QA from teachers, grounded judge). Each example is a chat (`messages`: ")
        .append("system (optional), user = the track window as the student sees it + the question, assistant = ")
        .append("the answer), for fine-tuning a small language model. Prompt version `")
        .append(m.get("prompt_version")).append("`; files: `jsonl/`, `parquet/`, `arrow/` per split, described with ")
        .append("their SHA-256 in `manifest.json`.\n\n");
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    b.append(String.format(Locale.ROOT, "%,d examples exported of %,d accepted (%,d longer than the %s limit left out).%n%n",
        n, counts.get("accepted"), counts.get("too_long"), "train.max_length"));

    b.append("## Splits and categories\n\n");
    b.append("Vessel-disjoint splits (no MMSI in two splits), stratified by category.\n\n");
    Map<String, Map<String, Long>> catSplit = new TreeMap<>();
    ex.forEach(e -> catSplit.computeIfAbsent(e.category(), k -> new TreeMap<>()).merge(e.split(), 1L, Long::sum));
    List<List<String>> rows = new ArrayList<>();
    Map<String, Long> splitTotals = new LinkedHashMap<>();
    ExportStage.SPLITS.forEach(s -> splitTotals.put(s, 0L));
    for (Map.Entry<String, Map<String, Long>> cs : catSplit.entrySet()) {
      Map<String, Long> bySplit = cs.getValue();
      List<String> r = new ArrayList<>(List.of(cs.getKey()));
      long t = 0;
      for (String s : ExportStage.SPLITS) {
        long v = bySplit.getOrDefault(s, 0L);
        splitTotals.merge(s, v, Long::sum);
        r.add(num(v));
        t += v;
      }
      r.add(num(t));
      r.add(pct(t, n));
      rows.add(r);
    }
    List<String> total = new ArrayList<>(List.of("**all**"));
    splitTotals.values().forEach(v -> total.add(num(v)));
    total.add(num(n));
    total.add(pct(n, n));
    rows.add(total);
    Map<?, ?> splits = (Map<?, ?>) counts.get("splits");
    List<String> vessels = new ArrayList<>(List.of("vessels"));
    for (String s : ExportStage.SPLITS) {
      vessels.add(num(((Number) ((Map<?, ?>) splits.get(s)).get("vessels")).longValue()));
    }
    vessels.add("");
    vessels.add("");
    rows.add(vessels);
    table(b, List.of("category", "train", "validation", "test", "all", "share"), rows);

    b.append("## Fact types\n\n");
    b.append("Pairs per template (qa_candidates.template_id; LLM teachers: `llm:TEACHER`) and the window fact the ")
        .append("answer states (fact_key; `-` = free text).\n\n");
    Map<List<String>, Long> facts = new java.util.HashMap<>();
    ex.forEach(e -> facts.merge(List.of(nz(e.templateId()), nz(e.factKey()), e.category()), 1L, Long::sum));
    List<Map.Entry<List<String>, Long>> factRows = new ArrayList<>(facts.entrySet());
    factRows.sort(Map.Entry.<List<String>, Long>comparingByValue().reversed()
        .thenComparing(e -> String.join("\u0000", e.getKey())));
    rows = new ArrayList<>();
    long rest = 0;
    for (int i = 0; i < factRows.size(); i++) {
      Map.Entry<List<String>, Long> e = factRows.get(i);
      if (i < MAX_FACT_ROWS) {
        rows.add(List.of(code(e.getKey().get(0)), code(e.getKey().get(1)), e.getKey().get(2), num(e.getValue()),
            pct(e.getValue(), n)));
      } else {
        rest += e.getValue();
      }
    }
    if (rest > 0) {
      rows.add(List.of("(" + (factRows.size() - MAX_FACT_ROWS) + " more)", "", "", num(rest), pct(rest, n)));
    }
    table(b, List.of("template_id", "fact_key", "category", "pairs", "share"), rows);

    b.append("## Strata\n\n");
    if (ctx.selectionVersion() < 0) {
      b.append("Not recorded: the lakehouse has no `").append(SELECTION_TABLE)
          .append("` table (columns window_id, stratum).\n\n");
    } else {
      b.append("Window strata from `").append(SELECTION_TABLE).append("` (Delta version ")
          .append(ctx.selectionVersion()).append("); `-` = window not in the table.\n\n");
      Map<String, Long> pairs = count(ex, e -> nz(e.stratum()));
      Map<String, Long> wins = new TreeMap<>();
      ex.stream().map(e -> List.of(nz(e.stratum()), e.windowId())).distinct()
          .forEach(k -> wins.merge(k.get(0), 1L, Long::sum));
      rows = new ArrayList<>();
      for (Map.Entry<String, Long> e : pairs.entrySet()) {
        rows.add(List.of(code(e.getKey()), num(wins.get(e.getKey())), num(e.getValue()), pct(e.getValue(), n)));
      }
      table(b, List.of("stratum", "windows", "pairs", "share of pairs"), rows);
    }

    b.append("## Answer distributions\n\n");
    b.append("Per template: the most frequent answer values (qa_candidates.claim, the value the answer states; ")
        .append("`-` = none) and the share of the most frequent one (docs/qa-facts.md section 5 allows at most ")
        .append("60 % of a template's accepted pairs).\n\n");
    Map<String, Map<String, Long>> answers = new TreeMap<>();
    ex.forEach(e -> answers.computeIfAbsent(nz(e.templateId()), k -> new TreeMap<>()).merge(nz(e.claim()), 1L, Long::sum));
    rows = new ArrayList<>();
    for (Map.Entry<String, Map<String, Long>> t : answers.entrySet()) {
      List<Map.Entry<String, Long>> vals = new ArrayList<>(t.getValue().entrySet());
      vals.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
      long all = vals.stream().mapToLong(Map.Entry::getValue).sum();
      String top = vals.stream().limit(TOP_ANSWERS)
          .map(v -> code(Markdown.truncate(v.getKey(), 40)) + " (" + num(v.getValue()) + ")")
          .collect(Collectors.joining(", "));
      rows.add(List.of(code(t.getKey()), num(all), num(vals.size()), top, pct(vals.get(0).getValue(), all)));
    }
    table(b, List.of("template_id", "pairs", "distinct values", "top values (pairs)", "mode share"), rows);

    b.append("## Trivial and copy shares\n\n");
    long trivial = ex.stream().filter(Example::trivial).count();
    long copies = ex.stream().filter(Example::copy).count();
    table(b, List.of("measure", "pairs", "share", "limit (docs/qa-facts.md section 5)"), List.of(
        List.of("trivial", num(trivial), pct(trivial, n), "at most 20 %"),
        List.of("copy", num(copies), pct(copies, n), "at most 30 %")));
    b.append("- **trivial**: the window's max valid SOG is below 0.5 kn (or it has none) and its track distance is ")
        .append("below 0.1 nm. Computed here from `track_windows.sog_max_kn` and `distance_nm` (all reports of the ")
        .append("window), not yet from the observed rows the student sees, as section 5 defines it.\n");
    b.append("- **copy**: the answer's value (qa_candidates.claim) occurs as a whole cell or token of the student ")
        .append("prompt (delimited by white space, `|`, `;`, `,`, brackets or `=`): the answer can be copied ")
        .append("from the prompt.\n\n");

    b.append("## Token lengths\n\n");
    b.append("Tokens per example (the whole chat in ChatML, tokenizer `")
        .append(((Map<?, ?>) m.get("tokenizer")).get("name")).append("`): nearest-rank percentiles.\n\n");
    rows = new ArrayList<>();
    List<String> groups = new ArrayList<>(ExportStage.SPLITS);
    groups.add("all");
    for (String g : groups) {
      List<Integer> t = ex.stream().filter(e -> g.equals("all") || e.split().equals(g)).map(Example::nTokens)
          .sorted().toList();
      double mean = t.stream().mapToInt(Integer::intValue).average().orElse(0);
      List<String> r = new ArrayList<>(List.of(g, num(t.size())));
      for (double q : new double[] {0, 0.1, 0.5, 0.9, 0.99, 1}) {
        r.add(num(q == 0 ? (t.isEmpty() ? 0 : t.get(0)) : percentile(t, q)));
      }
      r.add(String.format(Locale.ROOT, "%,.1f", mean));
      rows.add(r);
    }
    table(b, List.of("split", "examples", "min", "p10", "p50", "p90", "p99", "max", "mean"), rows);

    b.append("## Teacher mix\n\n");
    rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : count(ex, e -> nz(e.teacher())).entrySet()) {
      rows.add(List.of(code(e.getKey()), num(e.getValue()), pct(e.getValue(), n)));
    }
    table(b, List.of("teacher", "pairs", "share"), rows);

    b.append("## Verification\n\n");
    if (ctx.verifyProblem() != null) {
      b.append(ctx.verifyProblem()).append("\n\n");
    } else if (ctx.verify() == null) {
      b.append("Not run: no `").append(VERIFY_FILE).append("` in the export directory (an independent ")
          .append("re-computation of the answers writes it; export again afterwards to include it here).\n\n");
    } else {
      JsonNode agreement = ctx.verify().get("agreement");
      b.append("From `").append(VERIFY_FILE).append("` (an independent re-computation of the answers)");
      if (agreement != null && agreement.isNumber()) {
        b.append(": agreement ").append(String.format(Locale.ROOT, "%.4f", agreement.asDouble()));
      }
      b.append(".\n\n");
      List<List<String>> vrows = new ArrayList<>();
      flatten("", ctx.verify(), vrows);
      table(b, List.of("key", "value"), vrows);
    }

    b.append("## Sources and licences\n\n");
    if (ctx.positionsVersion() < 0) {
      b.append("Not recorded: the lakehouse has no `ais_positions` table.\n\n");
    } else {
      b.append("Input files of the exported vessels (`ais_positions.source`, Delta version ")
          .append(ctx.positionsVersion()).append("):\n\n");
      rows = new ArrayList<>();
      List<SourceFile> files = new ArrayList<>(ctx.sources());
      files.sort(Comparator.comparing(SourceFile::source).thenComparing(SourceFile::file));
      for (SourceFile f : files) {
        rows.add(List.of(f.source().label, code(f.file()), num(f.vessels())));
      }
      table(b, List.of("source", "file", "exported vessels"), rows);
      for (Source s : present.keySet()) {
        b.append("- **").append(s.label).append("**: ").append(s.terms).append("\n");
      }
      b.append("\n");
    }
    b.append("The questions, answers and reasoning were generated by ais-distill's teachers listed above.\n");
    return b.toString();
  }

  private static <K extends Comparable<K>> Map<K, Long> count(List<Example> ex, Function<Example, K> key) {
    Map<K, Long> out = new TreeMap<>();
    ex.forEach(e -> out.merge(key.apply(e), 1L, Long::sum));
    return out;
  }

  private static void flatten(String prefix, JsonNode node, List<List<String>> rows) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      keys.sort(null);
      for (String k : keys) {
        flatten(prefix.isEmpty() ? k : prefix + "." + k, node.get(k), rows);
      }
    } else if (node.isArray()) {
      rows.add(List.of(code(prefix), "(" + node.size() + " items)"));
    } else {
      rows.add(List.of(code(prefix), Markdown.cell(node.asText())));
    }
  }

  private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append("| ").append(String.join(" | ", header)).append(" |\n|");
    header.forEach(h -> b.append("---|"));
    b.append("\n");
    for (List<String> r : rows) {
      b.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    b.append("\n");
  }

  private static String nz(String s) {
    return s == null ? "-" : s;
  }

  private static String num(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static String pct(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
  }

  /** A value as an inline code span in a table cell ("-" stays plain). */
  private static String code(String s) {
    return s.equals("-") ? s : "`" + Markdown.cell(s).replace("`", "'") + "`";
  }
}
