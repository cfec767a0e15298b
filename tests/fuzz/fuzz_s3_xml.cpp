// libFuzzer target: the S3 XML responses dbkeep reads (storage/s3_xml): ListObjectsV2 pages,
// the UploadId of InitiateMultipartUpload and <Error> bodies. Also checks that any text put
// through escape() — as object keys are in DeleteObjects — reads back unchanged.

#include "dbkeep/storage/s3/s3_xml.hpp"
#include "fuzz_check.hpp"

namespace s3xml = dbkeep::storage::s3::s3xml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using dbkeep::fuzz::check;
  const std::string_view xml = dbkeep::fuzz::as_text(data, size);

  auto page = s3xml::parse_list_objects(xml);
  if (page && page->continuation_token) {
    check(xml.find("NextContinuationToken") != std::string_view::npos,
          "a continuation token comes from the document");
  }
  (void)s3xml::first_text(xml, "UploadId");
  auto error = s3xml::parse_error(xml);
  check(error.code.size() <= xml.size(), "an error code is no longer than the body");
  for (auto element : s3xml::all_elements(xml, "Contents")) {
    // "<Contents/>" gives an empty view that points nowhere.
    check(element.empty() || (element.data() >= xml.data() &&
                              element.data() + element.size() <= xml.data() + xml.size()),
          "an element lies inside the document");
  }

  const std::string wrapped = "<Key>" + s3xml::escape(xml) + "</Key>";
  check(s3xml::first_text(wrapped, "Key") == std::string(xml), "escaped text reads back");
  return 0;
}
