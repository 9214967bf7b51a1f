#!/usr/bin/env bash
# The lint step of action.yml, kept in a file so tests run it as GitHub would.
# Inputs arrive as INPUT_* variables; GitHub sets GITHUB_WORKSPACE, GITHUB_BASE_REF,
# GITHUB_STEP_SUMMARY and GITHUB_OUTPUT. Exit status: migrate-lint's (0, 1 or 2).
set -euo pipefail

cd "${GITHUB_WORKSPACE:-.}"
args=(check)
if [[ -n "${INPUT_PATH:-}" ]]; then
  args+=("$INPUT_PATH")
fi
since="${INPUT_SINCE:-}"
if [[ -z "$since" && -n "${GITHUB_BASE_REF:-}" ]]; then
  # A pull request: report what it adds or edits (MG004/MG005 included).
  since="origin/$GITHUB_BASE_REF"
  if ! git rev-parse --verify --quiet "$since^{commit}" >/dev/null; then
    # actions/checkout fetches one commit by default: fetch the base branch's tip.
    git fetch --no-tags --quiet origin \
      "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF"
  fi
fi
if [[ -n "$since" ]]; then
  args+=(--since "$since")
fi
args+=(--root "${GITHUB_WORKSPACE:-$PWD}")
# Extra flags, word-split on purpose (`--insert-paths src --fail-on error`).
read -r -a extra <<< "${INPUT_ARGS:-}"
args+=("${extra[@]}")

# The job summary and SARIF never decide the outcome (--exit-zero); errors (exit 2) do.
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  migrate-lint "${args[@]}" --format markdown --exit-zero >> "$GITHUB_STEP_SUMMARY"
fi
if [[ "${INPUT_SARIF:-false}" == "true" ]]; then
  sarif="${INPUT_SARIF_FILE:-migrate-lint.sarif}"
  migrate-lint "${args[@]}" --format sarif --exit-zero --output-file "$sarif"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
  fi
fi
# Annotations on the pull request's lines; this run's status is the step's.
migrate-lint "${args[@]}" --format github
