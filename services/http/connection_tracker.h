// What the bridge has open: connections (for the cap and for closing them at
// shutdown), requests being served, and tasks handed to the executor (which
// must all have finished before the I/O context goes away).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"

namespace tokend::http {

// A connection as the tracker sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the socket from any thread (posts to the connection's strand).
  virtual void Close() = 0;
};

class ConnectionTracker {
 public:
  explicit ConnectionTracker(size_t max_connections) : max_connections_(max_connections) {}

  // Registers `c`; false when at the cap or stopping (drop the connection).
  bool Admit(const std::shared_ptr<Connection>& c);
  // Called by the connection's destructor.
  void Remove(const Connection* c);
  size_t connections() const;

  // Holds one count for its lifetime; Stop waits for the counts to drain.
  class Scope {
   public:
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    friend class ConnectionTracker;
    Scope(ConnectionTracker& t, size_t ConnectionTracker::*counter);
    ConnectionTracker& tracker_;
    size_t ConnectionTracker::*counter_;
  };
  // One request, from its last byte read to its response written.
  std::unique_ptr<Scope> TrackRequest();
  // One executor task, from submission to completion.
  std::unique_ptr<Scope> TrackTask();

  // Shutdown, in order: stop admitting and keep-alive; wait for requests in
  // flight until `deadline`; close every connection and abandon queued work;
  // wait for the executor tasks already running (they cannot be cut).
  void BeginStopping();
  bool stopping() const;
  bool WaitForRequests(std::chrono::system_clock::time_point deadline);
  void CloseAll();
  bool abandoned() const;
  void WaitForTasks();
  bool WaitForConnections(std::chrono::system_clock::time_point deadline);

 private:
  template <typename Pred>
  bool WaitUntil(std::chrono::system_clock::time_point deadline, Pred pred);
  void Adjust(size_t ConnectionTracker::*counter, int delta);

  const size_t max_connections_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  absl::flat_hash_map<const Connection*, std::weak_ptr<Connection>> connections_;
  size_t busy_ = 0;
  size_t tasks_ = 0;
  bool stopping_ = false;
  bool abandoned_ = false;
};

}  // namespace tokend::http
