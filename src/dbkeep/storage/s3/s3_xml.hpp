#pragma once
// The few S3 XML documents dbkeep reads and writes: ListObjectsV2, InitiateMultipartUpload,
// ListMultipartUploads, DeleteObjects, CompleteMultipartUpload and <Error>. S3's responses are
// flat and machine-written, so a small tag scanner is enough; no general XML parser is needed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::storage::s3::s3xml {

// Text of every <tag>…</tag> in `xml` (in order), entities decoded.
std::vector<std::string> all_text(std::string_view xml, std::string_view tag);
// Text of the first <tag>…</tag>, if any.
std::optional<std::string> first_text(std::string_view xml, std::string_view tag);
// Inner XML of every <tag>…</tag> (not decoded), for nested records like <Contents>.
std::vector<std::string_view> all_elements(std::string_view xml, std::string_view tag);

std::string escape(std::string_view text);

struct ListPage {
  struct Object {
    std::string key;
    std::uint64_t size = 0;
  };
  std::vector<Object> objects;
  std::vector<std::string> common_prefixes;
  std::optional<std::string> continuation_token;  // set when the listing is truncated
};
Result<ListPage> parse_list_objects(std::string_view xml);

struct S3ErrorBody {
  std::string code;
  std::string message;
};
// Code and Message of an <Error> document; empty strings when the body is not one.
S3ErrorBody parse_error(std::string_view xml);

// Body of CompleteMultipartUpload for parts 1..etags.size().
std::string complete_multipart_body(const std::vector<std::string>& etags);
// Body of DeleteObjects (Quiet mode) for up to 1000 keys.
std::string delete_objects_body(const std::vector<std::string>& keys);

}  // namespace dbkeep::storage::s3::s3xml
