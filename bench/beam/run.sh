#!/bin/sh
# run.sh runs the side-by-side workloads W1-W7 on the BEAM (Erlang/OTP, two
# schedulers: erl +S 2:2) and prints their results as a JSON array on
# stdout, in the shape bench/peers/cmd/compare reads.
#
#   bench/beam/run.sh [-quick | -scale full|quick|tiny] [W1 W2 W3 W3b W4 W5 W6 W6a W7]
#   bench/beam/run.sh -elixir [-quick | -scale full|quick|tiny] [W6 W7]
#
# With no workloads it runs all of them, one after the other, in one VM;
# bench/peers/cmd/compare calls it once per workload and repetition so each
# gets a fresh VM. If erl is missing it installs erlang-base with apt-get.
# W6a gets an "na" result: OTP has no way to add a child to a supervisor
# without a start_child request (that is W6).
# -elixir runs the Elixir variants instead (bench_elixir.exs, runtime
# "elixir", elixir --erl "+S 2:2"): W6 with a DynamicSupervisor, W7 with a
# Registry; other workloads get an "na" result. If elixir is missing it
# installs elixir with apt-get.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
scale=full
elixir=false
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) scale=quick; shift ;;
	-scale) scale="$2"; shift 2 ;;
	-elixir) elixir=true; shift ;;
	-h|-help|--help)
		sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	-*) echo "run.sh: unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
case "$scale" in
full|quick|tiny) ;;
*) echo "run.sh: unknown scale $scale (want full, quick or tiny)" >&2; exit 2 ;;
esac

# apt_install PACKAGE installs a Debian package with apt-get.
apt_install() {
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update >&2
	$sudo apt-get install -y "$1" >&2
}

if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1; then
	echo "run.sh: erl not found; installing erlang-base with apt-get" >&2
	apt_install erlang-base
fi

if $elixir; then
	if ! command -v elixir >/dev/null 2>&1; then
		echo "run.sh: elixir not found; installing elixir with apt-get" >&2
		apt_install elixir
	fi
	exec elixir --erl "+S 2:2" "$here/bench_elixir.exs" "$scale" "$@"
fi

# Compile into a per-user cache, recompiling when the source changed.
ebin="${TMPDIR:-/tmp}/orchard-bench-beam-$(id -u)"
mkdir -p "$ebin"
if [ ! -f "$ebin/bench_beam.beam" ] || [ "$here/bench_beam.erl" -nt "$ebin/bench_beam.beam" ]; then
	erlc -o "$ebin" "$here/bench_beam.erl" >&2
fi

exec erl +S 2:2 -noshell -noinput -pa "$ebin" -run bench_beam main "$scale" "$@"
