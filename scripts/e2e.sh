#!/usr/bin/env bash
# The program end to end on a throwaway kind cluster (docs/e2e.md), on a laptop or in
# .github/workflows/e2e.yml:
#
#   scripts/e2e.sh                   # every step below, in order
#   scripts/e2e.sh --steps render    # only the offline ones: no Docker, cluster or Pulumi CLI
#
# Steps: render (the e2e stack rendered offline and judged by the policy pack), cluster (kind,
# a registry at localhost:5001, ingress-nginx, cert-manager), images (the test image and a broken
# build of it), stack (a scratch clone of HEAD, a local Pulumi backend, the first release's
# digests committed), preview (with the policy pack), up (and the checks), change (a changed
# setting: pods roll, nothing else is replaced), broken (a release that never becomes ready fails
# within the rollout deadline; `npm run rollback` restores the previous digest), destroy.
# Needs: render: Node.js 20 and `npm ci`; the others: Docker, kind >= v0.24.0, kubectl, Go, curl,
# the Pulumi CLI. Logs and rendered objects go to $E2E_ARTIFACTS (default: e2e-artifacts/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly ALL_STEPS=(render cluster images stack preview up change broken destroy)
readonly STACK=e2e
readonly CLUSTER=hft-e2e
ARTIFACTS="$(mkdir -p "${E2E_ARTIFACTS:-$ROOT/e2e-artifacts}" && cd "${E2E_ARTIFACTS:-$ROOT/e2e-artifacts}" && pwd)"
readonly ARTIFACTS
# Scratch space outside the checkout: the clone the stack is deployed from, the backend's state.
readonly WORK="${E2E_WORK:-${TMPDIR:-/tmp}/hft-e2e}"
readonly TREE="$WORK/tree"
# The service the broken release breaks.
readonly BROKEN=execution

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'e2e: %s\n' "$*" >&2
    exit 1
}

# Runs "$@" up to $1 times, $2 seconds apart, until it succeeds.
retry() {
    local times="$1" pause="$2" i
    shift 2
    for ((i = 1; i <= times; i++)); do
        "$@" && return 0
        ((i < times)) && sleep "$pause"
    done
    return 1
}

# shellcheck source=scripts/e2e-cluster.sh
source "$ROOT/scripts/e2e-cluster.sh"
# shellcheck source=scripts/e2e-checks.sh
source "$ROOT/scripts/e2e-checks.sh"

# A local backend in the scratch folder (`pulumi login --local`, without touching the user's
# login), secrets under a passphrase: no Pulumi Cloud account.
export PULUMI_BACKEND_URL="file://$WORK/state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-e2e-throwaway-passphrase}"
export PULUMI_SKIP_UPDATE_CHECK=true

# Runs pulumi in the scratch clone, its output also in $ARTIFACTS/<name>.log.
pulumi_logged() {
    local name="$1"
    shift
    (cd "$TREE" && pulumi "$@" --stack "$STACK") 2>&1 | tee "$ARTIFACTS/$name.log"
}

setting() { (cd "$TREE" && node -r ts-node/register tools/e2e/stackSetting.ts "Pulumi.$STACK.yaml" "$@"); }

# Each change is committed before its update: every version the stack records is a clean commit
# (git.dirty=false) that `npm run rollback` can check out again.
commit() {
    git -C "$TREE" add -A
    git -C "$TREE" -c user.name="scripts/e2e.sh" -c user.email="e2e@localhost" commit --quiet -m "$1"
    log "committed $(git -C "$TREE" rev-parse --short HEAD): $1"
}

phase_render() {
    # Exit 4 is a mandatory policy finding: the step fails on it.
    (cd "$ROOT" && npm run --silent render -- "$STACK" --out "$ARTIFACTS/rendered") 2>&1 | tee "$ARTIFACTS/render.log"
}

phase_stack() {
    # A clone, not a linked worktree: the CLI reads git metadata (git.head, which the rollback
    # needs) with go-git, which reads a linked worktree only when asked to; a clone is plain.
    if [[ ! -d "$TREE" ]]; then
        git clone --quiet --no-checkout "$ROOT" "$TREE"
        git -C "$TREE" checkout --quiet --detach "$(git -C "$ROOT" rev-parse HEAD)"
        (cd "$TREE" && npm ci --no-audit --no-fund)
    fi
    mkdir -p "$WORK/state"
    (cd "$TREE" && pulumi stack init "$STACK" --secrets-provider passphrase)
    (cd "$TREE" && pulumi config set --secret marketDataApiKey e2e-market-data-key --stack "$STACK")
    (cd "$TREE" && pulumi config set --secret brokerApiKey e2e-broker-key --stack "$STACK")
    setting pin "$(image_ref good)" "${SERVICES[@]}"
    commit "e2e: release 1, every service at $(image_ref good)"
}

phase_preview() {
    pulumi_logged preview preview --diff --policy-pack "$TREE/policy-pack"
}

phase_up() {
    pulumi_logged up-1 up --yes --policy-pack "$TREE/policy-pack" --message "e2e: release 1"
    check_release
}

# logLevel lands in the common ConfigMap, which every pod reads: each pod rolls, and only the
# (immutable, content-named) ConfigMaps are replaced.
phase_change() {
    uids >"$WORK/uids-before"
    pods_of_stack >"$WORK/pods-before"
    setting set logLevel DEBUG
    commit "e2e: release 2, logLevel DEBUG"
    (cd "$TREE" && pulumi preview --json --stack "$STACK") >"$ARTIFACTS/preview-change.json"
    (cd "$ROOT" && node -r ts-node/register tools/e2e/replaced.ts) <"$ARTIFACTS/preview-change.json" || die "the changed setting would replace more than ConfigMaps (preview-change.json)"
    pulumi_logged up-2 up --yes --policy-pack "$TREE/policy-pack" --message "e2e: release 2"
    check_deployments_available
    uids >"$WORK/uids-after"
    diff "$WORK/uids-before" "$WORK/uids-after" || die "an object was replaced by the changed setting"
    pods_of_stack >"$WORK/pods-after"
    if comm -12 "$WORK/pods-before" "$WORK/pods-after" | grep -q .; then
        die "pods did not roll: $(comm -12 "$WORK/pods-before" "$WORK/pods-after" | tr '\n' ' ')"
    fi
    [[ "$(k get configmap -o jsonpath='{.items[*].data.LOG_LEVEL}')" == *DEBUG* ]] || die "no ConfigMap holds LOG_LEVEL=DEBUG"
    log "ok: every pod rolled, no Deployment, Service, NetworkPolicy, Ingress or ServiceAccount replaced"
}

# A release whose $BROKEN never becomes ready: 'pulumi up' fails on the progress deadline, and
# `npm run rollback -- --previous` redeploys release 2's commit, with its digests.
phase_broken() {
    local good started elapsed deadline wait
    good="$(image_of "$BROKEN")"
    deadline="$(k get deployment "$BROKEN" -o jsonpath='{.spec.progressDeadlineSeconds}')"
    wait="$(k get deployment "$BROKEN" -o jsonpath='{.metadata.annotations.pulumi\.com/timeoutSeconds}')"
    setting pin "$(image_ref broken)" "$BROKEN"
    commit "e2e: release 3, $BROKEN at $(image_ref broken) (never ready)"
    started="$(date +%s)"
    if pulumi_logged up-3-broken up --yes --policy-pack "$TREE/policy-pack" --message "e2e: release 3 (broken)"; then
        die "the broken release succeeded"
    fi
    elapsed=$(($(date +%s) - started))
    log "the broken release failed after ${elapsed}s (progress deadline ${deadline}s, Pulumi waits ${wait}s)"
    # The whole update, preview and program included, within Pulumi's wait and two minutes more.
    ((elapsed <= wait + 120)) || die "the broken release took ${elapsed}s to fail, more than ${wait}s and two minutes"
    [[ "$(k get deployment "$BROKEN" -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}')" == ProgressDeadlineExceeded ]] || die "$BROKEN's rollout did not fail on its progress deadline"
    [[ "$(image_of "$BROKEN")" == "$(image_ref broken)" ]] || die "$BROKEN does not run the broken image it was given"
    (cd "$TREE" && npm run --silent rollback -- --stack "$STACK" --list) | tee "$ARTIFACTS/history-before-rollback.txt"
    (cd "$TREE" && npm run --silent rollback -- --stack "$STACK" --previous --yes) 2>&1 | tee "$ARTIFACTS/rollback.log"
    [[ "$(image_of "$BROKEN")" == "$good" ]] || die "the rollback left $BROKEN at $(image_of "$BROKEN"), not $good"
    check_release
    log "ok: the rollback restored $good"
}

phase_destroy() {
    pulumi_logged destroy destroy --yes
    (cd "$TREE" && pulumi stack rm --yes "$STACK")
    rm -rf "$TREE"
}

# What a run leaves for its reader, however it ends: the objects, events and logs.
collect() {
    kubectl config get-contexts "kind-$CLUSTER" >/dev/null 2>&1 || return 0
    k get all,configmaps,networkpolicies,ingresses,certificates -o yaml >"$ARTIFACTS/cluster-objects.yaml" 2>&1 || true
    k get events --sort-by=.lastTimestamp >"$ARTIFACTS/events.txt" 2>&1 || true
    local pod
    for pod in $(k get pods -o name 2>/dev/null); do
        k logs "$pod" --all-containers >"$ARTIFACTS/log-${pod#pod/}.txt" 2>&1 || true
    done
    if [[ -d "$TREE" ]]; then
        (cd "$TREE" && pulumi stack history --stack "$STACK") >"$ARTIFACTS/stack-history.txt" 2>&1 || true
    fi
    git -C "$TREE" log --oneline -5 >"$ARTIFACTS/commits.txt" 2>/dev/null || true
}

usage() {
    echo "usage: scripts/e2e.sh [--steps <step>[,<step>...]]   steps: ${ALL_STEPS[*]}" >&2
    exit 2
}

main() {
    local steps=("${ALL_STEPS[@]}") step
    case "${1:-}" in
    "") ;;
    --steps)
        [[ $# -eq 2 ]] || usage
        IFS=, read -r -a steps <<<"$2"
        ;;
    *) usage ;;
    esac
    for step in "${steps[@]}"; do
        [[ " ${ALL_STEPS[*]} " == *" $step "* ]] || usage
    done
    if [[ "${steps[*]}" != render ]]; then
        mkdir -p "$WORK"
        trap collect EXIT
    fi
    for step in "${steps[@]}"; do
        log "step $step"
        "phase_$step"
    done
}

main "$@"
