package io.aisdistill.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.aisdistill.jobs.llm.LlmFanout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The direction of dependencies in jobs/ and common/, checked on the compiled classes:
 * {@code entry classes -> cli -> pipeline -> stage (the contract) and stage.* -> {lakehouse, llm, report, tracking,
 * training} -> config -> common}, with no arrow back, no cycle between stages, and common free of
 * jobs; a stage's {@code XTransforms} (Dataset to Dataset) do no input or output: no lakehouse, no
 * LLM fan-out (its plan rows are fine), no report, tracking or training service, no Spark writer,
 * no files. A violation fails with the
 * offending class and dependency.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.aisdistill");
  }

  @Test
  void layersPointDownOnly() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Entry").definedBy("io.aisdistill.jobs")
        .layer("Cli").definedBy("io.aisdistill.jobs.cli..")
        .layer("Pipeline").definedBy("io.aisdistill.jobs.pipeline..")
        .layer("Stages").definedBy("io.aisdistill.jobs.stage..")
        .layer("Services").definedBy("io.aisdistill.jobs.lakehouse..", "io.aisdistill.jobs.llm..",
            "io.aisdistill.jobs.report..", "io.aisdistill.jobs.tracking..", "io.aisdistill.jobs.training..")
        .layer("Config").definedBy("io.aisdistill.jobs.config..")
        .layer("Common").definedBy("io.aisdistill.common..")
        .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
        .whereLayer("Cli").mayOnlyBeAccessedByLayers("Entry")
        .whereLayer("Pipeline").mayOnlyBeAccessedByLayers("Entry", "Cli")
        .whereLayer("Stages").mayOnlyBeAccessedByLayers("Entry", "Cli", "Pipeline")
        .whereLayer("Services").mayOnlyBeAccessedByLayers("Entry", "Cli", "Pipeline", "Stages")
        .whereLayer("Config").mayOnlyBeAccessedByLayers("Entry", "Cli", "Pipeline", "Stages", "Services")
        .check(classes);
  }

  @Test
  void stagesDoNotReferenceTheCommandLine() {
    noClasses().that().resideInAPackage("io.aisdistill.jobs.stage..")
        .should().dependOnClassesThat().resideInAnyPackage("io.aisdistill.jobs.cli..", "picocli..")
        .check(classes);
  }

  @Test
  void onlyTheLakehouseTouchesDelta() {
    noClasses().that().resideOutsideOfPackage("io.aisdistill.jobs.lakehouse..")
        .should().dependOnClassesThat().resideInAnyPackage("io.delta..", "org.apache.spark.sql.delta..")
        .check(classes);
  }

  @Test
  void transformsDoNoInputOrOutput() {
    noClasses().that().resideInAPackage("io.aisdistill.jobs.stage..").and().haveNameMatching(".*Transforms(\\$.*)?")
        .should().dependOnClassesThat().haveFullyQualifiedName("io.aisdistill.jobs.lakehouse.Lakehouse")
        .orShould().dependOnClassesThat().resideInAnyPackage("io.aisdistill.jobs.report..",
            "io.aisdistill.jobs.tracking..", "io.aisdistill.jobs.training..")
        .orShould().callMethodWhere(DescribedPredicate.describe("LlmFanout.run (the fan-out sends calls)",
            (JavaMethodCall c) -> c.getTargetOwner().isEquivalentTo(LlmFanout.class) && c.getName().equals("run")))
        .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.spark.sql.DataFrameWriter")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
        .check(classes);
  }

  @Test
  void stagesFormNoCycle() {
    slices().matching("io.aisdistill.jobs.stage.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void servicesFormNoCycle() {
    slices().matching("io.aisdistill.jobs.(*)..").should().beFreeOfCycles().check(classes);
  }
}
