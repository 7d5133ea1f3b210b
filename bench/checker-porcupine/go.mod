module faultline/bench/checker-porcupine

go 1.19

require github.com/anishathalye/porcupine v0.0.0

// Point this at a checkout of https://github.com/anishathalye/porcupine (see bench/checker-porcupine.ts).
replace github.com/anishathalye/porcupine => ../../.porcupine
