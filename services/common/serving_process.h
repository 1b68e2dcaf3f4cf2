// Process-wide settings for a long-running, many-threaded server (tokend) and
// for the benchmark processes measured beside it, so both run alike.
#pragma once

namespace tokend {

// Call first thing in main(), before threads start. Debian's Abseil is built
// with its debug-mode Mutex deadlock detector on, which every gRPC and tokend
// lock then pays for (a lock-order graph per acquisition); production servers
// run without it.
//
// The other process setting is the allocator, chosen at link time: these
// processes link tcmalloc (tokend_use_serving_allocator in CMakeLists.txt).
// glibc malloc, even with its trimming tuned off, took about a sixth of
// tokend's CPU per IssueToken in its arenas and bins.
void TuneProcessForServing();

}  // namespace tokend
