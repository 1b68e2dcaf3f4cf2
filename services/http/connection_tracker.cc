#include "services/http/connection_tracker.h"

#include <vector>

namespace tokend::http {

bool ConnectionTracker::Admit(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  if (stopping_ || connections_.size() >= max_connections_) return false;
  connections_.emplace(c.get(), c);
  return true;
}

void ConnectionTracker::Remove(const Connection* c) {
  std::lock_guard lock(mu_);
  if (connections_.erase(c) > 0) cv_.notify_all();
}

size_t ConnectionTracker::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void ConnectionTracker::Adjust(size_t ConnectionTracker::*counter, int delta) {
  std::lock_guard lock(mu_);
  this->*counter += delta;
  if (this->*counter == 0) cv_.notify_all();
}

ConnectionTracker::Scope::Scope(ConnectionTracker& t, size_t ConnectionTracker::*counter)
    : tracker_(t), counter_(counter) {
  t.Adjust(counter, 1);
}
ConnectionTracker::Scope::~Scope() { tracker_.Adjust(counter_, -1); }

std::unique_ptr<ConnectionTracker::Scope> ConnectionTracker::TrackRequest() {
  return std::unique_ptr<Scope>(new Scope(*this, &ConnectionTracker::busy_));
}
std::unique_ptr<ConnectionTracker::Scope> ConnectionTracker::TrackTask() {
  return std::unique_ptr<Scope>(new Scope(*this, &ConnectionTracker::tasks_));
}

void ConnectionTracker::BeginStopping() {
  std::lock_guard lock(mu_);
  stopping_ = true;
}

bool ConnectionTracker::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

bool ConnectionTracker::abandoned() const {
  std::lock_guard lock(mu_);
  return abandoned_;
}

template <typename Pred>
bool ConnectionTracker::WaitUntil(std::chrono::system_clock::time_point deadline, Pred pred) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, pred);
}

bool ConnectionTracker::WaitForRequests(std::chrono::system_clock::time_point deadline) {
  return WaitUntil(deadline, [this] { return busy_ == 0; });
}

bool ConnectionTracker::WaitForConnections(std::chrono::system_clock::time_point deadline) {
  return WaitUntil(deadline, [this] { return connections_.empty(); });
}

void ConnectionTracker::WaitForTasks() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return tasks_ == 0; });
}

void ConnectionTracker::CloseAll() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    for (auto& [_, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  // Outside the lock: dropping the last reference runs ~Connection → Remove.
  for (auto& c : open) c->Close();
}

}  // namespace tokend::http
