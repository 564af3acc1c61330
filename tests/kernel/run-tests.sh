#!/bin/sh
# Runs in the guest: each program given, one after the other, and fails if any failed, so
# that all the kernel tests share one boot. Each program's status is printed after it.
failed=""
for program in "$@"; do
  echo "=== $program"
  "$program"
  status=$?
  echo "=== $program: status $status"
  [ "$status" -eq 0 ] || failed="$failed $(basename "$program")"
done

if [ -n "$failed" ]; then
  echo "FAILED:$failed"
  exit 1
fi
echo "all kernel test programs passed"
