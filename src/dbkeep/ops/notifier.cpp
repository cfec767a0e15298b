#include "dbkeep/ops/notifier.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <ctime>
#include <mutex>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/version.hpp"

namespace dbkeep::ops {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHandle {
  CURL* handle = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    curl_slist_free_all(headers);
    if (handle) curl_easy_cleanup(handle);
  }
};

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

struct Payload {
  std::string_view remaining;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* payload = static_cast<Payload*>(user);
  std::size_t n = std::min(size * count, payload->remaining.size());
  std::copy_n(payload->remaining.data(), n, buffer);
  payload->remaining.remove_prefix(n);
  return n;
}

std::string this_host() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

// One POST. Returns the HTTP status, or an error for transport failures (never naming the URL).
Result<long> post_once(const std::string& url, const std::string& body,
                       std::chrono::seconds timeout, const NotifierOptions& options) {
  CurlHandle curl;
  if (!curl.handle) return fail("cannot initialise libcurl");
  curl.headers = curl_slist_append(curl.headers, "Content-Type: application/json");
  // No "Expect: 100-continue" round trip: some webhook receivers never answer it.
  curl.headers = curl_slist_append(curl.headers, "Expect:");
  curl_easy_setopt(curl.handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.handle, CURLOPT_HTTPHEADER, curl.headers);
  curl_easy_setopt(curl.handle, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.handle, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.handle, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(curl.handle, CURLOPT_USERAGENT, "dbkeep");
  if (options.ca_file) curl_easy_setopt(curl.handle, CURLOPT_CAINFO, options.ca_file->c_str());
  CURLcode code = curl_easy_perform(curl.handle);
  if (code != CURLE_OK) return fail(curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl.handle, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

bool is_local_host(const std::string& url) {
  auto start = url.find("://");
  if (start == std::string::npos) return false;
  std::string rest = url.substr(start + 3);
  return rest.starts_with("localhost") || rest.starts_with("127.") || rest.starts_with("[::1]");
}

std::string rfc5322_date(core::Seconds time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return buffer;
}

}  // namespace

nlohmann::json run_summary_json(const RunRecord& record) {
  nlohmann::json summary = run_record_to_json(record);
  summary["event"] = "backup";
  summary["error"] = log::redact(record.error);
  summary["host"] = this_host();
  summary["tool"] = "dbkeep";
  summary["version"] = core::kVersion;
  return summary;
}

Notification run_notification(const RunRecord& record) {
  std::string outcome = !record.success                   ? "FAILED"
                        : record.recovered_after_failures ? "recovered"
                                                          : "succeeded";
  return {record.set, "backup of " + record.set + " on " + this_host() + " " + outcome,
          run_summary_json(record), record.finished_at};
}

Notification archive_notification(const ArchiveRecord& record, ArchiveProblem problem,
                                  const std::string& detail) {
  nlohmann::json summary = archive_record_to_json(record);
  const bool gap = problem == ArchiveProblem::kGap;
  summary["event"] = gap ? "archive_gap" : "archive_stopped";
  summary["status"] = gap ? "gap" : "stopped";
  summary[gap ? "gap" : "error"] = log::redact(detail);
  summary["host"] = this_host();
  summary["tool"] = "dbkeep";
  summary["version"] = core::kVersion;
  std::string subject =
      "archive of " + record.set + " on " + this_host() + (gap ? " has a GAP" : " STOPPED");
  return {record.set, subject, summary, core::now_seconds()};
}

WebhookNotifier::WebhookNotifier(std::string url, int retries, std::chrono::seconds timeout,
                                 NotifierOptions options)
    : url_(std::move(url)), retries_(retries), timeout_(timeout), options_(options) {}

Result<void> WebhookNotifier::send(const Notification& notification) {
  init_curl_once();
  std::string body = notification.summary.dump();
  auto delay = options_.retry_delay;
  std::string last_problem;
  for (int attempt = 0; attempt <= retries_; ++attempt) {
    if (attempt > 0) {
      log::warn("webhook attempt " + std::to_string(attempt) + " failed (" + last_problem +
                "); retrying");
      std::this_thread::sleep_for(delay);
      delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::minutes(1));
    }
    auto status = post_once(url_, body, timeout_, options_);
    if (status && *status >= 200 && *status < 300) return {};
    last_problem = status ? "HTTP " + std::to_string(*status) : status.error().message;
    bool final = status && *status >= 400 && *status < 500 && *status != 429;
    if (final) break;
  }
  return fail("webhook not delivered: " + last_problem);
}

std::string email_message(const core::NotifyConfig& config, const Notification& notification) {
  std::string to;
  for (const auto& address : config.email_to) to += (to.empty() ? "" : ", ") + address;
  std::string subject = "[dbkeep] " + notification.subject;
  std::string text = "Date: " + rfc5322_date(notification.at) + "\r\n" +
                     "From: " + config.email_from.value_or("") + "\r\n" + "To: " + to + "\r\n" +
                     "Subject: " + subject + "\r\n" +
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  for (const auto& [key, value] : notification.summary.items()) {
    std::string line = key + ": " + (value.is_string() ? value.get<std::string>() : value.dump());
    // A line holding only "." would end the SMTP DATA section early.
    if (line.starts_with('.')) line.insert(0, ".");
    text += line + "\r\n";
  }
  return text;
}

EmailNotifier::EmailNotifier(const core::NotifyConfig& config, std::chrono::seconds timeout)
    : config_(config), timeout_(timeout) {}

Result<void> EmailNotifier::send(const Notification& notification) {
  init_curl_once();
  CurlHandle curl;
  if (!curl.handle) return fail("cannot initialise libcurl");
  std::string message = email_message(config_, notification);
  Payload payload{message};
  const std::string& url = *config_.smtp_url;
  curl_easy_setopt(curl.handle, CURLOPT_URL, url.c_str());
  if (config_.ca_file) curl_easy_setopt(curl.handle, CURLOPT_CAINFO, config_.ca_file->c_str());
  if (url.starts_with("smtp://") && !is_local_host(url)) {
    curl_easy_setopt(curl.handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (config_.smtp_user)
    curl_easy_setopt(curl.handle, CURLOPT_USERNAME, config_.smtp_user->c_str());
  if (config_.smtp_password) {
    curl_easy_setopt(curl.handle, CURLOPT_PASSWORD, config_.smtp_password->c_str());
  }
  std::string from = "<" + *config_.email_from + ">";
  curl_easy_setopt(curl.handle, CURLOPT_MAIL_FROM, from.c_str());
  for (const auto& address : config_.email_to) {
    curl.headers = curl_slist_append(curl.headers, ("<" + address + ">").c_str());
  }
  curl_easy_setopt(curl.handle, CURLOPT_MAIL_RCPT, curl.headers);
  curl_easy_setopt(curl.handle, CURLOPT_READFUNCTION, read_payload);
  curl_easy_setopt(curl.handle, CURLOPT_READDATA, &payload);
  curl_easy_setopt(curl.handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.handle, CURLOPT_TIMEOUT, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl.handle, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl.handle);
  if (code != CURLE_OK) return fail(std::string("mail not sent: ") + curl_easy_strerror(code));
  return {};
}

std::vector<std::unique_ptr<Notifier>> make_notifiers(const core::NotifyConfig& config,
                                                      NotifierOptions options) {
  std::vector<std::unique_ptr<Notifier>> notifiers;
  auto timeout = std::chrono::seconds(config.timeout_seconds);
  if (config.webhook_url) {
    options.ca_file = config.ca_file;
    notifiers.push_back(std::make_unique<WebhookNotifier>(
        *config.webhook_url, config.webhook_retries, timeout, options));
  }
  if (config.smtp_url) notifiers.push_back(std::make_unique<EmailNotifier>(config, timeout));
  return notifiers;
}

Announcement announcement_for(const RunRecord& record, int failures_before,
                              const core::NotifyConfig& config) {
  if (!record.success) {
    return record.consecutive_failures >= config.after_failures ? Announcement::kFailure
                                                                : Announcement::kNone;
  }
  if (failures_before >= config.after_failures) return Announcement::kRecovery;
  return config.on_success ? Announcement::kSuccess : Announcement::kNone;
}

void notify(std::vector<std::unique_ptr<Notifier>>& notifiers, const Notification& notification) {
  for (auto& notifier : notifiers) {
    auto sent = notifier->send(notification);
    if (sent) {
      log::info(notifier->name() + " notification sent for set '" + notification.set + "'");
    } else {
      log::warn(notifier->name() + " notification for set '" + notification.set +
                "' failed: " + log::redact(sent.error().message));
    }
  }
}

void notify_run(std::vector<std::unique_ptr<Notifier>>& notifiers, const RunRecord& record,
                Announcement announcement) {
  if (announcement == Announcement::kNone) return;
  notify(notifiers, run_notification(record));
}

}  // namespace dbkeep::ops
