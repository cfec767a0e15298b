#include "dbkeep/storage/s3/s3_xml.hpp"

#include <charconv>

namespace dbkeep::storage::s3::s3xml {
namespace {

std::string decode_entities(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, character] : kEntities) {
        if (text.substr(i).starts_with(entity)) {
          out += character;
          i += entity.size();
          replaced = true;
          break;
        }
      }
      if (!replaced && text.substr(i).starts_with("&#")) {
        auto end = text.find(';', i);
        unsigned code = 0;
        bool hex = i + 2 < text.size() && text[i + 2] == 'x';
        auto digits = text.substr(i + (hex ? 3 : 2), end - i - (hex ? 3 : 2));
        if (end != std::string_view::npos &&
            std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10).ec ==
                std::errc{} &&
            code < 0x80) {
          out += static_cast<char>(code);
          i = end + 1;
          replaced = true;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

std::vector<std::string_view> all_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> found;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  std::size_t at = 0;
  while ((at = xml.find(open, at)) != std::string_view::npos) {
    std::size_t after_name = at + open.size();
    if (after_name >= xml.size()) break;
    // "<Key>" or "<Key attr=…>", but not "<KeyCount>"; "<Tag/>" is an empty element.
    char next = xml[after_name];
    if (next != '>' && next != ' ' && next != '/') {
      at = after_name;
      continue;
    }
    std::size_t content_start = xml.find('>', after_name);
    if (content_start == std::string_view::npos) break;
    if (xml[content_start - 1] == '/') {
      found.emplace_back();
      at = content_start + 1;
      continue;
    }
    ++content_start;
    std::size_t end = xml.find(close, content_start);
    if (end == std::string_view::npos) break;
    found.push_back(xml.substr(content_start, end - content_start));
    at = end + close.size();
  }
  return found;
}

std::vector<std::string> all_text(std::string_view xml, std::string_view tag) {
  std::vector<std::string> texts;
  for (auto element : all_elements(xml, tag)) texts.push_back(decode_entities(element));
  return texts;
}

std::optional<std::string> first_text(std::string_view xml, std::string_view tag) {
  auto elements = all_elements(xml, tag);
  if (elements.empty()) return std::nullopt;
  return decode_entities(elements.front());
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<ListPage> parse_list_objects(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return fail("S3 listing response is not a ListBucketResult");
  }
  ListPage page;
  for (auto contents : all_elements(xml, "Contents")) {
    ListPage::Object object;
    auto key = first_text(contents, "Key");
    auto size = first_text(contents, "Size");
    if (!key || !size ||
        std::from_chars(size->data(), size->data() + size->size(), object.size).ec != std::errc{}) {
      return fail("S3 listing has an entry without a valid Key and Size");
    }
    object.key = std::move(*key);
    page.objects.push_back(std::move(object));
  }
  for (auto common : all_elements(xml, "CommonPrefixes")) {
    if (auto prefix = first_text(common, "Prefix")) page.common_prefixes.push_back(*prefix);
  }
  if (first_text(xml, "IsTruncated") == "true") {
    page.continuation_token = first_text(xml, "NextContinuationToken");
    if (!page.continuation_token) {
      return fail("S3 listing is truncated but has no NextContinuationToken");
    }
  }
  return page;
}

S3ErrorBody parse_error(std::string_view xml) {
  S3ErrorBody error;
  auto element = all_elements(xml, "Error");
  if (element.empty()) return error;
  error.code = first_text(element.front(), "Code").value_or("");
  error.message = first_text(element.front(), "Message").value_or("");
  return error;
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  std::string body = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
            escape(etags[i]) + "</ETag></Part>";
  }
  return body + "</CompleteMultipartUpload>";
}

std::string delete_objects_body(const std::vector<std::string>& keys) {
  std::string body = "<Delete><Quiet>true</Quiet>";
  for (const auto& key : keys) body += "<Object><Key>" + escape(key) + "</Key></Object>";
  return body + "</Delete>";
}

}  // namespace dbkeep::storage::s3::s3xml
