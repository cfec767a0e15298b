#include "dbkeep/storage/s3/s3_backend.hpp"

#include <algorithm>
#include <charconv>

#include "dbkeep/storage/key.hpp"
#include "dbkeep/storage/s3/s3_credentials.hpp"
#include "dbkeep/storage/s3/s3_reader.hpp"
#include "dbkeep/storage/s3/s3_xml.hpp"

namespace dbkeep::storage::s3 {
namespace {

constexpr std::size_t kDeleteBatch = 1000;  // S3's DeleteObjects limit

bool is_manifest(std::string_view key) {
  return key == "manifest.json" || key.ends_with("/manifest.json");
}

}  // namespace

Result<S3BackendOptions> s3_backend_options(const core::S3Config& config,
                                            const core::Environment& environment) {
  S3BackendOptions options;
  options.client.bucket = config.bucket;
  options.client.region = config.region;
  options.client.endpoint =
      config.endpoint.value_or("https://s3." + config.region + ".amazonaws.com");
  // Custom stores (MinIO, Ceph, s3rver) mostly want path-style; AWS wants virtual hosts.
  options.client.path_style = config.path_style.value_or(config.endpoint.has_value());
  options.client.ca_file = config.ca_file;
  TRY_ASSIGN(options.client.credentials, resolve_s3_credentials(config, environment));
  options.prefix = config.prefix;
  options.write.part_size = config.part_size;
  options.write.concurrency = config.concurrency;
  options.write.checksum = config.checksum;
  options.storage_class = config.storage_class;
  if (config.sse) {
    options.encryption_headers.push_back("x-amz-server-side-encryption: " + *config.sse);
  }
  if (config.sse_kms_key_id) {
    options.encryption_headers.push_back("x-amz-server-side-encryption-aws-kms-key-id: " +
                                         *config.sse_kms_key_id);
  }
  return options;
}

S3Backend::S3Backend(S3BackendOptions options)
    : options_(std::move(options)), client_(options_.client) {}

std::string S3Backend::describe() const {
  std::string prefix = options_.prefix;
  if (!prefix.empty()) prefix.pop_back();
  return "s3://" + options_.client.bucket + (prefix.empty() ? "" : "/" + prefix);
}

Result<std::unique_ptr<Writer>> S3Backend::create(std::string_view key) {
  TRY(check_key(key));
  S3WriteSettings settings = options_.write;
  settings.headers = options_.encryption_headers;
  if (options_.storage_class && !is_manifest(key)) {
    settings.headers.push_back("x-amz-storage-class: " + *options_.storage_class);
  }
  return std::unique_ptr<Writer>(
      std::make_unique<S3MultipartWriter>(client_, full_key(key), std::move(settings)));
}

Result<std::unique_ptr<Reader>> S3Backend::open(std::string_view key) {
  TRY(check_key(key));
  S3Request head{.method = "HEAD", .key = full_key(key)};
  TRY_ASSIGN(auto response, client_.send(head, {404}));
  if (response.status == 404) return fail(client_.location(head.key) + " not found");
  std::uint64_t size = 0;
  std::string length = response.header("content-length");
  if (std::from_chars(length.data(), length.data() + length.size(), size).ec != std::errc{}) {
    return fail("S3 HEAD " + client_.location(head.key) + ": no valid Content-Length");
  }
  return std::unique_ptr<Reader>(
      std::make_unique<S3Reader>(client_, head.key, size, response.header("etag"),
                                 options_.write.part_size, options_.write.concurrency));
}

Result<bool> S3Backend::exists(std::string_view key) {
  TRY(check_key(key));
  TRY_ASSIGN(auto response, client_.send({.method = "HEAD", .key = full_key(key)}, {404}));
  return response.status != 404;
}

Result<S3Backend::Listing> S3Backend::list_objects(std::string_view prefix, bool by_directory) {
  Listing listing;
  const std::string full_prefix = full_key(prefix);
  std::optional<std::string> token;
  do {
    S3Request request{.method = "GET",
                      .query = {{"list-type", "2"},
                                {"max-keys", std::to_string(options_.list_page_size)},
                                {"prefix", full_prefix}}};
    if (by_directory) request.query.emplace_back("delimiter", "/");
    if (token) request.query.emplace_back("continuation-token", *token);
    TRY_ASSIGN(auto response, client_.send(request));
    auto page = s3xml::parse_list_objects(response.body);
    if (!page) return propagate(page.error().with_context("listing " + describe()));
    for (auto& object : page->objects) {
      if (!object.key.starts_with(options_.prefix)) continue;
      listing.objects.push_back({object.key.substr(options_.prefix.size()), object.size});
    }
    for (auto& common : page->common_prefixes) {
      if (common.starts_with(full_prefix)) listing.common_prefixes.push_back(common);
    }
    token = page->continuation_token;
  } while (token);
  return listing;
}

Result<std::vector<ObjectInfo>> S3Backend::list(std::string_view prefix) {
  TRY(check_prefix(prefix));
  TRY_ASSIGN(auto listing, list_objects(prefix, false));
  std::ranges::sort(listing.objects, {}, &ObjectInfo::key);
  return std::move(listing.objects);
}

Result<std::vector<std::string>> S3Backend::list_children(std::string_view prefix) {
  TRY(check_prefix(prefix));
  if (!prefix.empty() && !prefix.ends_with('/')) {
    return fail("list_children needs a prefix ending in '/', got '" + std::string(prefix) + "'");
  }
  TRY_ASSIGN(auto listing, list_objects(prefix, true));
  const std::size_t skip = full_key(prefix).size();
  std::vector<std::string> children;
  for (const auto& common : listing.common_prefixes) {
    std::string child = common.substr(skip);
    if (child.ends_with('/')) child.pop_back();
    if (!child.empty()) children.push_back(std::move(child));
  }
  std::ranges::sort(children);
  children.erase(std::unique(children.begin(), children.end()), children.end());
  return children;
}

Result<void> S3Backend::remove(std::string_view key) {
  TRY(check_key(key));
  TRY(client_.send({.method = "DELETE", .key = full_key(key)}, {404}));
  return {};
}

Result<void> S3Backend::delete_batch(const std::vector<std::string>& full_keys) {
  std::string body = s3xml::delete_objects_body(full_keys);
  S3Request request{
      .method = "POST",
      .query = {{"delete", ""}},
      .headers = {"Content-Type: application/xml", "Content-MD5: " + S3Client::content_md5(body)},
      .body = body};
  TRY_ASSIGN(auto response, client_.send(request, {501}));
  if (response.status != 501) return {};
  // Stores without DeleteObjects (a few S3 clones): one DELETE per key.
  for (const auto& key : full_keys) {
    TRY(client_.send({.method = "DELETE", .key = key}, {404}));
  }
  return {};
}

Result<void> S3Backend::remove_prefix(std::string_view prefix) {
  TRY(check_prefix(prefix));
  if (prefix.empty()) return usage_error("refusing to remove an empty prefix (everything)");
  TRY_ASSIGN(auto listing, list_objects(prefix, false));
  std::vector<std::string> batch;
  for (const auto& object : listing.objects) {
    batch.push_back(full_key(object.key));
    if (batch.size() == kDeleteBatch) {
      TRY(delete_batch(batch));
      batch.clear();
    }
  }
  if (!batch.empty()) TRY(delete_batch(batch));
  return {};
}

}  // namespace dbkeep::storage::s3
