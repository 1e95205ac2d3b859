package io.aisdistill.jobs.pipeline;

import io.aisdistill.jobs.stage.Stage;

import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.stage.evaluate.EvaluateStage;
import io.aisdistill.jobs.stage.export.ExportStage;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.stage.train.TrainStage;
import io.aisdistill.jobs.stage.windows.WindowsStage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The pipeline of {@code ais-distill run}: the stages of {@code run.stages}, in order, each built
 * with its options. Export writes to {@code run.export_dir}, train to {@code run.train_dir} (with
 * {@code run.train_args}); evaluate asks the export's test split and, with
 * {@code evaluate.serve: local}, serves base + student from the training output itself.
 */
public final class RunPlan {
  private RunPlan() {}

  /** Stage names {@code run.stages} may hold, in their only valid order. */
  public static final List<String> STAGES =
      List.of("ingest", "windows", "select", "generate", "judge", "export", "train", "evaluate");

  /**
   * The options of {@code run} that are not configuration keys.
   *
   * @param inputs input files, directories or globs of ingest
   * @param format input format of ingest ({@code auto}, {@code marinecadastre}, {@code dma}, {@code nmea})
   * @param teachers the teacher file, or null for the offline grounded teacher and judge
   * @param models loads the models file of evaluate (called only when evaluate is one of the stages)
   */
  public record Options(List<String> inputs, String format, TeacherConfig teachers, Supplier<ModelsFile> models) {}

  /**
   * The pipeline of {@code cfg.run.stages}.
   *
   * @throws IllegalArgumentException when run.stages is not a subsequence of {@link #STAGES}, or
   *     the models file of evaluate cannot be loaded
   */
  public static Pipeline of(PipelineConfig cfg, Options o) {
    List<String> names = cfg.run.stages;
    int last = -1;
    for (String st : names) {
      int i = STAGES.indexOf(st);
      if (i <= last) {
        throw new IllegalArgumentException("run.stages must be a subsequence of " + STAGES + ", got " + names);
      }
      last = i;
    }
    Path export = Path.of(cfg.run.exportDir);
    Path trainOut = Path.of(cfg.run.trainDir);
    List<Stage<?>> stages = new ArrayList<>();
    for (String st : names) {
      stages.add(switch (st) {
        case "ingest" -> new IngestStage(o.inputs(), o.format());
        case "windows" -> new WindowsStage();
        case "select" -> new SelectStage(o.teachers());
        case "generate" -> new GenerateStage(o.teachers());
        case "judge" -> new JudgeStage(o.teachers());
        case "export" -> new ExportStage(export);
        case "train" -> new TrainStage(export, trainOut, cfg.run.trainArgs);
        case "evaluate" -> new EvaluateStage(o.models().get(), export, true, null, Path.of(cfg.evaluate.reportDir),
            trainOut);
        default -> throw new IllegalArgumentException("unknown stage in run.stages: " + st);
      });
    }
    return new Pipeline(stages);
  }
}
