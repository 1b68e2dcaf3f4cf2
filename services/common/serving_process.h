// Process-wide settings for a long-running, many-threaded server (tokend) and
// for the benchmark processes measured beside it, so both run alike.
#pragma once

namespace tokend {

// Call first thing in main(), before threads start.
// - Debian's Abseil is built with its debug-mode Mutex deadlock detector on,
//   which every gRPC and tokend lock then pays for (a lock-order graph per
//   acquisition); production servers run without it.
// - glibc malloc returns freed memory at the top of a heap to the kernel as
//   soon as 128 KiB are free and grows it again on the next burst; under
//   gRPC's allocation churn that trim-and-grow (sysmalloc, madvise) took ~5 %
//   of tokend's CPU and raised the empty-call and IssueToken rates by 10-30 %
//   once stopped. Freed memory is kept up to 256 MiB (bounded by the peak, so
//   RSS stays flat under a steady load) and heaps grow 64 MiB at a time.
void TuneProcessForServing();

}  // namespace tokend
