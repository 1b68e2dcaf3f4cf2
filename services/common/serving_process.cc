#include "services/common/serving_process.h"

#include "absl/synchronization/mutex.h"

namespace tokend {

void TuneProcessForServing() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace tokend
