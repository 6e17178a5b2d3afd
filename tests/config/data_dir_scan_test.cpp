#include "config/data_dir_scan.h"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

DataDirScanResult Scan(const std::string& text) { return ScanDataDir(text); }

TEST_CASE("ScanDataDir reads the plain forms", "[config][scan]") {
  DataDirScanResult r = Scan("[server]\ndata_dir = \"/srv/fd\"\n");
  CHECK(r.kind == DataDirScan::kFound);
  CHECK(r.value == "/srv/fd");
  r = Scan("# c\n\n[ server ]  # the server\n  data_dir='C:\\x'  # literal\r\ndatabase = \"a.db\"\n");
  CHECK(r.kind == DataDirScan::kFound);
  CHECK(r.value == "C:\\x");
  r = Scan("[server]\npublic_listen = \"127.0.0.1:8080\"\n[mail]\nx = 1\n");
  CHECK(r.kind == DataDirScan::kDefault);
  CHECK(Scan("").kind == DataDirScan::kDefault);
}

TEST_CASE("ScanDataDir steps over values that look like headers or keys", "[config][scan]") {
  // A multi-line string holding what would otherwise redefine the key.
  DataDirScanResult r = Scan(
      "[server]\ndata_dir = \"/a\"\n[templates]\ntext = \"\"\"\n[server]\ndata_dir = \"/evil\"\n\"\"\"\n"
      "lit = '''\n[server]\n'''\narr = [\n  \"[server]\", # ]\n  { a = \"]\" },\n]\n"
      "t = { x = [1, 2], y = \"}\" }\nq = \"a\\\"]\"\n[[queue]]\nname = \"s\"\nserver.data_dir = \"/q\"\n");
  CHECK(r.kind == DataDirScan::kFound);
  CHECK(r.value == "/a");
  // Up to two quotes may close a multi-line string's content.
  r = Scan("[mail]\nx = \"\"\"a\"\"\"\"\"\n[server]\ndata_dir = \"/b\"\n");
  CHECK(r.kind == DataDirScan::kFound);
  CHECK(r.value == "/b");
}

TEST_CASE("ScanDataDir is unsure of every other way to say it", "[config][scan]") {
  for (const char* text : {
           "server.data_dir = \"/x\"\n",                         // dotted at the root
           "server = { data_dir = \"/x\" }\n",                   // inline table
           "[\"server\"]\ndata_dir = \"/x\"\n",                  // quoted header
           "[server]\n\"data_dir\" = \"/x\"\n",                  // quoted key
           "[server]\ndata_dir = \"/x\"\ndata_dir = \"/y\"\n",   // defined twice (an error)
           "[server]\ndata_dir = \"/x\"\n[server]\n",            // table twice (an error)
           "[server]\ndata_dir = \"/a\\u0062\"\n",               // an escape
           "[server]\ndata_dir = \"\"\"/x\"\"\"\n",              // multi-line
           "[server]\ndata_dir = \"/x\" junk\n",                 // trailing text
           "[server]\ndata_dir = \"/x\n",                        // unterminated
           "[mail]\nt = \"\"\"never closed\n[server]\ndata_dir = \"/x\"\n",
           "[server\ndata_dir = \"/x\"\n",                       // broken header
           "[[server]]\ndata_dir = \"/x\"\n",
           "[server]\ndata_dir.x = \"/x\"\n",
       }) {
    INFO(text);
    CHECK(Scan(text).kind == DataDirScan::kUnsure);
  }
}

TEST_CASE("ScanDataDir agrees with the packaged config", "[config][scan]") {
  std::ifstream in(std::string(FRONTDESK_SOURCE_DIR) + "/config/frontdesk.example.toml");
  std::stringstream text;
  text << in.rdbuf();
  DataDirScanResult r = Scan(text.str());
  CHECK(r.kind == DataDirScan::kFound);
  CHECK(r.value == "/var/lib/frontdesk");
}

}  // namespace
}  // namespace frontdesk
