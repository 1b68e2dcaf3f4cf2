#include "services/common/serving_process.h"

#include <malloc.h>

#include "absl/synchronization/mutex.h"

namespace tokend {

void TuneProcessForServing() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  // Setting these also stops glibc raising them itself as blocks are freed.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

}  // namespace tokend
