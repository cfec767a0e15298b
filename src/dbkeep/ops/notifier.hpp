#pragma once
// Notifications ([notify]) about a finished backup run and about an archive that needs a
// person (a gap, an archiver that stopped): a webhook (HTTP POST of a JSON summary) and email
// over SMTP, both through libcurl. Failures are always sent, successes only with
// on_success = true. A notifier that fails is logged and never changes the run's outcome.

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/ops/archive_record.hpp"
#include "dbkeep/ops/run_record.hpp"

namespace dbkeep::ops {

// The JSON document a webhook receives for a run (docs/operations.md lists the fields).
nlohmann::json run_summary_json(const RunRecord& record);

// One message for every notifier: the webhook POSTs `summary`; the mail's subject is
// "[dbkeep] " + `subject` and its body a line per field of `summary`.
struct Notification {
  std::string set;
  std::string subject;
  nlohmann::json summary;
  core::Seconds at{};
};

Notification run_notification(const RunRecord& record);

// What about an archive needs a person. A gap is announced once, when it is first seen.
enum class ArchiveProblem { kGap, kStopped };
// `detail`: the gap's description, or the error the archiver stopped with.
Notification archive_notification(const ArchiveRecord& record, ArchiveProblem problem,
                                  const std::string& detail);

class Notifier {
 public:
  virtual ~Notifier() = default;
  [[nodiscard]] virtual std::string name() const = 0;  // "webhook", "email"; for logs
  virtual Result<void> send(const Notification& notification) = 0;
};

struct NotifierOptions {
  // Delay before the first retry; doubled for each further one (at most a minute). Tests
  // shorten it.
  std::chrono::milliseconds retry_delay{std::chrono::seconds(2)};
  // Trust this CA bundle instead of the system's ([notify] ca_file).
  std::optional<std::filesystem::path> ca_file;
};

// POSTs run_summary_json() with Content-Type: application/json. Retries on connection errors and
// on HTTP 5xx/429 up to `retries` more times; a 4xx other than 429 is final.
class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(std::string url, int retries, std::chrono::seconds timeout,
                  NotifierOptions options);
  [[nodiscard]] std::string name() const override { return "webhook"; }
  Result<void> send(const Notification& notification) override;

 private:
  std::string url_;  // may embed a token: never put into a message
  int retries_;
  std::chrono::seconds timeout_;
  NotifierOptions options_;
};

// Sends a plain-text mail. smtps:// is TLS from the start; smtp:// requires STARTTLS unless the
// host is the local machine (a local relay).
class EmailNotifier final : public Notifier {
 public:
  EmailNotifier(const core::NotifyConfig& config, std::chrono::seconds timeout);
  [[nodiscard]] std::string name() const override { return "email"; }
  Result<void> send(const Notification& notification) override;

 private:
  const core::NotifyConfig& config_;
  std::chrono::seconds timeout_;
};

// The mail text (headers and body) for `notification`; exposed for tests.
std::string email_message(const core::NotifyConfig& config, const Notification& notification);

std::vector<std::unique_ptr<Notifier>> make_notifiers(const core::NotifyConfig& config,
                                                      NotifierOptions options = {});

// Whether a finished run is announced ([notify] on_success, after_failures): a failure once
// `after_failures` runs in a row have failed, the first success after an announced failure
// (a recovery, even without on_success), other successes only with on_success.
enum class Announcement { kNone, kFailure, kRecovery, kSuccess };
Announcement announcement_for(const RunRecord& record, int failures_before,
                              const core::NotifyConfig& config);

// Sends `notification` through every notifier; logs each failure.
void notify(std::vector<std::unique_ptr<Notifier>>& notifiers, const Notification& notification);

// Sends `record` through every notifier unless `announcement` is kNone.
void notify_run(std::vector<std::unique_ptr<Notifier>>& notifiers, const RunRecord& record,
                Announcement announcement);

}  // namespace dbkeep::ops
