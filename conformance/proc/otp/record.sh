#!/bin/sh
# Record the expected traces of the process-level conformance scenarios on
# real Erlang/OTP (25; Debian's erlang-base is enough).
#
#   otp/record.sh                 record every scenario of ../testdata
#   otp/record.sh FILE.json...    record these scenarios only
#   RUNS=5 otp/record.sh          agree over 5 fresh VMs (default 3)
#   otp/record.sh -print FILE     run one scenario once and print its trace
#
# Each run is a fresh VM (one scheduler, +S 1:1) that plays every scenario
# once. A scenario gets its "expect" only when all RUNS traces are
# identical; otherwise its "expect" is removed and it is reported.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin"
erlc -Werror -o "$tmp/ebin" "$here"/*.erl
if [ "${1:-}" = "-print" ]; then
	erl -noshell +S 1:1 -kernel logger_level none -pa "$tmp/ebin" -run proc_runner print "$2"
	exit
fi
if [ $# -eq 0 ]; then
	set -- "$here"/../testdata/*.json
fi
i=1
while [ "$i" -le "$runs" ]; do
	erl -noshell +S 1:1 -kernel logger_level none -pa "$tmp/ebin" -run proc_runner run "$tmp/run$i" "$@"
	i=$((i + 1))
done
erl -noshell -pa "$tmp/ebin" -run proc_runner merge "$tmp" "$runs" "$@"
