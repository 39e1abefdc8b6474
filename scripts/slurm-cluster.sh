#!/usr/bin/env bash
# A one-machine Slurm cluster (Debian 12's Slurm 22.05 + MUNGE) for the Jobs tests and for trying
# `spacehub serve --jobs-backend slurm` without a real cluster.
#
#   scripts/slurm-cluster.sh start  DIR   # start (or keep) the cluster kept in DIR; waits until idle
#   scripts/slurm-cluster.sh status DIR   # exit 0 when every daemon runs and the node answers
#   scripts/slurm-cluster.sh stop   DIR   # cancel its jobs, stop its daemons (DIR stays)
#   scripts/slurm-cluster.sh env    DIR   # prints `export SLURM_CONF=...` for a shell to eval
#
# Everything lives under DIR (absolute or relative; created when missing): etc/slurm.conf, the MUNGE
# key and socket (munge/), state, spool, logs, pid files and slurmrestd's socket (restd/). Nothing
# is written to /etc: every Slurm command finds the cluster through SLURM_CONF (DIR/env), and Slurm
# finds MUNGE through AuthInfo=socket=. Several clusters may run on one machine: each picks two free
# TCP ports (slurmctld, slurmd) at its first start and keeps them in DIR/ports.
#
# Must run as root (slurmctld and slurmd do; munged runs as `munge`, slurmrestd as SLURMRESTD_USER,
# default `nobody`, since it refuses root). The node is `hostname -s` at 127.0.0.1. It claims
# SLURM_CLUSTER_CPUS CPUs (default 64) and SLURM_CLUSTER_MEMORY_MB of memory (default 1 TiB) whatever
# the machine has (SlurmdParameters=config_overrides): a test cluster must accept every flavor of
# hardware.yaml and run several jobs at once; the limits that hold are each sandbox's cgroup, set by
# `spacehub job-exec` on the node. Finished jobs stay known to slurmctld for a day (MinJobAge), as
# there is no slurmdbd (so no sacct).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|status|env DIR" >&2
  exit 2
}
(($# == 2)) || usage
ACTION="$1"
mkdir -p "$2"
DIR="$(cd "$2" && pwd)"
CONF="$DIR/etc/slurm.conf"
NODE="$(hostname -s)"
RESTD_USER="${SLURMRESTD_USER:-nobody}"
export SLURM_CONF="$CONF"

log() { echo "slurm-cluster: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# poll SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails after SECONDS.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

pid_alive() { # pid_alive NAME: the daemon whose pid file is DIR/run/NAME.pid runs
  local f="$DIR/run/$1.pid" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }

# Two free TCP ports, kept in DIR/ports across restarts unless another program took one since.
pick_ports() {
  local a b tries=0
  if [[ -s "$DIR/ports" ]]; then
    read -r a b <"$DIR/ports"
    if pid_alive slurmctld || pid_alive slurmd || { port_free "$a" && port_free "$b"; }; then
      return 0
    fi
    log "port $a or $b is taken now; choosing others"
  fi
  while :; do
    ((tries++ < 200)) || die "no two free TCP ports found in 20000-59999"
    a=$((20000 + RANDOM % 40000))
    b=$((a + 1))
    port_free "$a" && port_free "$b" && break
  done
  echo "$a $b" >"$DIR/ports"
}

write_conf() {
  local ctld_port slurmd_port
  read -r ctld_port slurmd_port <"$DIR/ports"
  mkdir -p "$DIR/etc"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-cluster.sh; rewritten at every start.
ClusterName=spacehub
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munged.sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# scancel: SIGTERM, then SIGKILL this many seconds later (job-exec stops its sandbox in ~3 s).
KillWait=10
MinJobAge=86400
MaxJobCount=100000
InactiveLimit=0
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=${SLURM_CLUSTER_CPUS:-64} RealMemory=${SLURM_CLUSTER_MEMORY_MB:-1048576} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$DIR/env" <<EOF
export SLURM_CONF=$CONF
EOF
}

start_munge() {
  pid_alive munged && return 0
  install -d -m 0755 -o munge -g munge "$DIR/munge"
  if [[ ! -s "$DIR/munge/munge.key" ]]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$DIR/munge/munge.key"
    else
      dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    fi
  fi
  chown munge:munge "$DIR/munge/munge.key"
  chmod 0400 "$DIR/munge/munge.key"
  # munged writes its pid file itself; ours is a copy in run/ with the others.
  rm -f "$DIR/munge/munged.sock" "$DIR/munge/munged.sock.lock"
  runuser -u munge -- munged --socket="$DIR/munge/munged.sock" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" ||
    die "munged did not start: $(tail -3 "$DIR/munge/munged.log" 2>/dev/null)"
  poll 10 test -s "$DIR/munge/munged.pid" || die "munged wrote no pid file"
  cp "$DIR/munge/munged.pid" "$DIR/run/munged.pid"
  poll 10 munge_works || die "munged does not answer on $DIR/munge/munged.sock"
}

munge_works() { munge -n -S "$DIR/munge/munged.sock" | unmunge -S "$DIR/munge/munged.sock"; }

node_idle() {
  local state
  state="$(sinfo -h -n "$NODE" -o %t 2>/dev/null)" || return 1
  [[ "$state" == idle || "$state" == mix || "$state" == alloc ]]
}

restd_answers() {
  curl -sf --max-time 2 --unix-socket "$DIR/restd/slurmrestd.sock" \
    http://localhost/slurm/v0.0.38/ping >/dev/null
}

start_slurm() {
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
  chmod 0755 "$DIR/log"
  if ! pid_alive slurmctld; then
    slurmctld -f "$CONF" || die "slurmctld did not start: $(tail -5 "$DIR/log/slurmctld.log")"
  fi
  poll 30 scontrol ping || die "slurmctld does not answer: $(tail -5 "$DIR/log/slurmctld.log")"
  if ! pid_alive slurmd; then
    slurmd -f "$CONF" || die "slurmd did not start: $(tail -5 "$DIR/log/slurmd.log")"
  fi
  # A node that was down (a previous stop) comes back by itself (ReturnToService=2).
  poll 60 node_idle || die "node $NODE is not idle: $(sinfo -h -n "$NODE" -o '%t %E' 2>&1)"
}

start_restd() {
  pid_alive slurmrestd && return 0
  install -d -m 0755 -o "$RESTD_USER" "$DIR/restd"
  rm -f "$DIR/restd/slurmrestd.sock"
  touch "$DIR/log/slurmrestd.log"
  # slurmrestd stays in the foreground, exec-ed by setpriv (runuser would stay as its parent), so
  # the recorded pid is its own. SLURM_JWT in its environment would switch it to JWT auth.
  (
    cd "$DIR/restd"
    exec env -u SLURM_JWT SLURM_CONF="$CONF" setsid setpriv --reuid="$RESTD_USER" \
      --regid="$(id -g "$RESTD_USER")" --clear-groups slurmrestd \
      -s openapi/v0.0.38 -a rest_auth/local "unix:$DIR/restd/slurmrestd.sock" \
      </dev/null >>"$DIR/log/slurmrestd.log" 2>&1
  ) &
  echo $! >"$DIR/run/slurmrestd.pid"
  poll 15 restd_answers || die "slurmrestd does not answer: $(tail -5 "$DIR/log/slurmrestd.log")"
}

# stop_daemons NAME...: TERM the daemons of DIR/run/NAME.pid together (each takes about 2 s to
# shut down), KILL those still there 10 s later.
stop_daemons() {
  local d pids=()
  for d in "$@"; do
    if pid_alive "$d"; then
      pids+=("$(cat "$DIR/run/$d.pid")")
      kill -TERM "${pids[-1]}" 2>/dev/null || true
    fi
  done
  if ((${#pids[@]})) && ! poll 10 none_alive "${pids[@]}"; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  for d in "$@"; do rm -f "$DIR/run/$d.pid"; done
}

none_alive() {
  local p
  for p in "$@"; do ! kill -0 "$p" 2>/dev/null || return 1; done
}

# The job step daemons of this cluster (they outlive slurmd): their environment names our conf.
our_stepds() {
  local p
  for p in $(pgrep -x slurmstepd 2>/dev/null); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$CONF" && echo "$p"
  done
  return 0
}

no_jobs_left() { [[ -z "$(squeue -h -t R,CG,CF,S -o %i 2>/dev/null)" && -z "$(our_stepds)" ]]; }

do_stop() {
  if pid_alive slurmctld; then
    # Jobs first, so that nothing started by this cluster keeps running without it.
    local ids
    ids="$(squeue -h -t PD,CF,R,S,CG -o %i 2>/dev/null | tr '\n' ' ')"
    # shellcheck disable=SC2086 # job ids, one word each
    [[ -z "${ids// /}" ]] || scancel --quiet $ids 2>/dev/null || true
    poll 20 no_jobs_left || log "jobs still running after 20 s; killing their step daemons"
  fi
  local p
  for p in $(our_stepds); do kill -KILL "$p" 2>/dev/null || true; done
  stop_daemons slurmrestd slurmd slurmctld
  stop_daemons munged
  rm -f "$DIR/munge/munged.pid"
}

do_status() {
  local ok=0 d
  for d in munged slurmctld slurmd slurmrestd; do
    if pid_alive "$d"; then echo "$d: running (pid $(cat "$DIR/run/$d.pid"))"; else
      echo "$d: stopped"
      ok=1
    fi
  done
  if ((ok == 0)); then
    echo "node $NODE: $(sinfo -h -n "$NODE" -o %t 2>&1)"
    node_idle || ok=1
  fi
  return "$ok"
}

case "$ACTION" in
  start)
    [[ $(id -u) -eq 0 ]] || die "must run as root (slurmctld, slurmd and munged's user switch)"
    for b in munged slurmctld slurmd slurmrestd sbatch; do
      command -v "$b" >/dev/null || die "$b is not installed (scripts/install-deps.sh installs munge, slurmctld, slurmd, slurmrestd, slurm-client)"
    done
    # Anyone may pass through DIR (munge and slurmrestd run as other users); only root writes.
    chmod 0755 "$DIR"
    mkdir -p "$DIR/run"
    if do_status >/dev/null 2>&1; then
      log "already running in $DIR"
    else
      pick_ports
      write_conf
      start_munge
      start_slurm
      start_restd
      log "up: node $NODE idle; export SLURM_CONF=$CONF (or: . $DIR/env)"
    fi
    ;;
  stop) do_stop ;;
  status) do_status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) usage ;;
esac
