package io.aisdistill.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of common, checked on the compiled main classes (ArchUnit): the LLM
 * transport ({@code llm}) knows nothing of the domain, and the domain core knows nothing of the
 * LLM transport or of the prompts and replies built on it ({@code teacher}).
 */
class PackageDependenciesTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.aisdistill.common");
  }

  @Test
  void llmTransportDoesNotDependOnTheDomain() {
    noClasses().that().resideInAPackage("io.aisdistill.common.llm..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.aisdistill.common.ais..", "io.aisdistill.common.eval..", "io.aisdistill.common.ingest..",
            "io.aisdistill.common.judge..", "io.aisdistill.common.qa..", "io.aisdistill.common.select..",
            "io.aisdistill.common.sim..", "io.aisdistill.common.teacher..", "io.aisdistill.common.track..")
        .because("llm is the HTTP transport, its limits and its configuration; prompts and replies about "
            + "windows belong in io.aisdistill.common.teacher")
        .check(classes);
  }

  @Test
  void domainCoreDoesNotDependOnLlmOrTeacher() {
    noClasses().that().resideInAnyPackage(
            "io.aisdistill.common.ais..", "io.aisdistill.common.eval..", "io.aisdistill.common.ingest..",
            "io.aisdistill.common.judge..", "io.aisdistill.common.qa..", "io.aisdistill.common.select..",
            "io.aisdistill.common.sim..", "io.aisdistill.common.text..", "io.aisdistill.common.track..")
        .should().dependOnClassesThat().resideInAnyPackage("io.aisdistill.common.llm..", "io.aisdistill.common.teacher..")
        .because("the domain core of common stays free of the LLM I/O")
        .check(classes);
  }
}
