// A fixed pool of threads with a bounded queue, for the blocking work (the
// core, libpqxx) that gRPC reactors and HTTP I/O threads must never do
// themselves.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tokend {

class BoundedExecutor {
 public:
  BoundedExecutor(int threads, size_t max_queued);
  ~BoundedExecutor();  // runs what is queued, then joins

  // Queues `task`; false (and the task is dropped) when the queue is full or
  // the executor is shutting down — the caller answers "unavailable".
  bool TrySubmit(std::function<void()> task);

  // Stops taking tasks, finishes the queued ones and joins the threads.
  void Shutdown();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tokend
