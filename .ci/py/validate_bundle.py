"""Validates the Databricks Asset Bundle (databricks.yml + resources/*.yml).

- every job parses into databricks-sdk's jobs.JobSettings model and survives a round trip (a key
  the model does not know, or an enum value it rejects, is lost and fails the check);
- the task graph is ingest -> windows -> select -> generate -> judge -> export -> train -> evaluate, jar
  tasks on the CPU job cluster, train a Python task on the GPU job cluster;
- every jar task's main class is in the spark-submit jar and every Python task's file exists,
  except entry points declared PENDING (being built elsewhere): those are printed while missing,
  and one that appears must be removed from PENDING;
- parameters lakehouse / catalog / schema exist; secrets are {{secrets/<scope>/...}} references to
  the bundle's secret scope, never literals.

Usage: python validate_bundle.py REPO_ROOT SPARK_JAR
"""
import glob
import os
import re
import sys
import zipfile

import yaml
from databricks.sdk.service import jobs

# Entry points that other work in progress provides (issues 4 and 5). The check fails for any
# other missing entry point.
PENDING = set()
ORDER = ["ingest", "windows", "select", "generate", "judge", "export", "train", "evaluate"]
VAR = re.compile(r"\$\{var\.([A-Za-z0-9_]+)\}")

failures = []
passed = 0


def check(cond, msg):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(msg)
        print("FAIL:", msg)


def load_bundle(root, target):
    with open(os.path.join(root, "databricks.yml")) as f:
        bundle = yaml.safe_load(f)
    resources = {}
    for pattern in bundle.get("include", []):
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            with open(path) as f:
                doc = yaml.safe_load(f)
            for kind, items in doc.get("resources", {}).items():
                resources.setdefault(kind, {}).update(items)
    variables = {k: v.get("default") for k, v in bundle.get("variables", {}).items()}
    variables.update(bundle.get("targets", {}).get(target, {}).get("variables", {}) or {})
    return bundle, resources, variables


def resolve(value, variables):
    """Substitutes ${var.x} (recursively, as the bundle CLI does); unknown variables fail."""
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, variables) for v in value]
    if isinstance(value, str):
        for _ in range(10):
            m = VAR.search(value)
            if not m:
                break
            name = m.group(1)
            check(name in variables, f"undefined variable ${{var.{name}}}")
            value = value[: m.start()] + str(variables.get(name, "")) + value[m.end():]
    return value


def lost_keys(given, model, path="job"):
    """Keys of `given` missing from the model's round trip (unknown fields, bad enum values)."""
    out = []
    if isinstance(given, dict):
        for k, v in given.items():
            if not isinstance(model, dict) or k not in model:
                out.append(f"{path}.{k}")
            else:
                out += lost_keys(v, model[k], f"{path}.{k}")
    elif isinstance(given, list):
        if not isinstance(model, list) or len(model) != len(given):
            out.append(path)
        else:
            for i, (g, m) in enumerate(zip(given, model)):
                out += lost_keys(g, m, f"{path}[{i}]")
    return out


def main():
    root, jar = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(jar) as z:
        classes = {n[:-6].replace("/", ".") for n in z.namelist() if n.endswith(".class")}
    missing_pending = []
    for target in ("dev", "prod"):
        bundle, resources, variables = load_bundle(root, target)
        check(bundle["bundle"]["name"] == "ais-distill", "bundle name")
        variables = {k: resolve(v, variables) for k, v in variables.items()}
        check(set(jobs_ := resources.get("jobs", {})) == {"ais_distill"}, f"one job, got {list(jobs_)}")
        raw = resources["jobs"]["ais_distill"]
        job = resolve(raw, variables)
        settings = jobs.JobSettings.from_dict(job)
        lost = lost_keys(job, settings.as_dict())
        check(not lost, f"[{target}] not in databricks-sdk JobSettings: {lost}")
        check(settings.schedule is not None and settings.schedule.quartz_cron_expression,
              f"[{target}] scheduled")
        params = {p.name: p.default for p in settings.parameters or []}
        for p in ("lakehouse", "catalog", "schema"):
            check(p in params, f"[{target}] job parameter {p}")
        check(params.get("lakehouse") == f"catalog:{variables['catalog']}.{variables['schema']}",
              f"[{target}] lakehouse default is the catalog schema: {params.get('lakehouse')}")
        clusters = {c.job_cluster_key: c.new_cluster for c in settings.job_clusters or []}
        check("gpu" in (clusters.get("gpu").spark_version or ""), f"[{target}] GPU runtime on the gpu cluster")
        tasks = {t.task_key: t for t in settings.tasks}
        check(list(tasks) == ORDER, f"[{target}] tasks {list(tasks)} != {ORDER}")
        for prev, key in zip(ORDER, ORDER[1:]):
            deps = [d.task_key for d in tasks[key].depends_on or []]
            check(deps == [prev], f"[{target}] {key} depends on {deps}, expected [{prev}]")
        check(not tasks["ingest"].depends_on, f"[{target}] ingest runs first")
        for key, t in tasks.items():
            if key == "train":
                check(t.job_cluster_key == "gpu" and t.spark_python_task is not None,
                      f"[{target}] train is a Python task on the GPU cluster")
                entry = [t.spark_python_task.python_file] + [l.requirements for l in t.libraries or [] if l.requirements]
                for e in entry:
                    rel = os.path.normpath(os.path.join("resources", e))
                    if not os.path.exists(os.path.join(root, rel)):
                        (missing_pending.append(rel) if rel in PENDING else
                         check(False, f"[{target}] {key}: {rel} does not exist"))
                    else:
                        check(rel not in PENDING, f"{rel} exists now: remove it from PENDING")
                continue
            check(t.job_cluster_key == "cpu" and t.spark_jar_task is not None,
                  f"[{target}] {key} is a jar task on the CPU cluster")
            libs = [l.jar for l in t.libraries or []]
            check(libs == [variables["jar"]], f"[{target}] {key} runs the spark-submit jar: {libs}")
            cls = t.spark_jar_task.main_class_name
            if cls in classes:
                check(cls not in PENDING, f"{cls} is in the jar now: remove it from PENDING")
            elif cls in PENDING:
                missing_pending.append(cls)
            else:
                check(False, f"[{target}] {key}: main class {cls} not in {os.path.basename(jar)}")
            args = t.spark_jar_task.parameters or []
            check("--lakehouse" in args and args[args.index("--lakehouse") + 1] == "{{job.parameters.lakehouse}}",
                  f"[{target}] {key} takes the lakehouse job parameter")
        text = yaml.safe_dump(job)
        refs = re.findall(r"\{\{secrets/([^/}]+)/([^}]+)\}\}", text)
        check(len(refs) >= 3 and all(s == variables["secret_scope"] for s, _ in refs),
              f"[{target}] secrets from scope {variables['secret_scope']}: {refs}")
        for c in clusters.values():
            for k, v in list((c.spark_conf or {}).items()) + list((c.spark_env_vars or {}).items()):
                if re.search(r"(key|secret|token|password)", k, re.I):
                    check(str(v).startswith("{{secrets/"), f"[{target}] {k} must be a secret reference")
    pending = sorted(set(missing_pending))
    if pending:
        print("pending entry points (declared, not built yet): " + ", ".join(pending))
    print(f"bundle: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
