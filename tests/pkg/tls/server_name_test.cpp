#include "tls/server_name.hpp"

#include <gtest/gtest.h>

namespace zedge::tls {
namespace {

using Names = std::vector<std::string>;

TEST(IdentityCandidates, ExactThenOneLevelWildcardThenDefault) {
  EXPECT_EQ(identity_candidates("a.example.com", "default_8443"),
            (Names{"a.example.com", "_.example.com", "default_8443"}));
  // One level only: never _.example.com for a deeper name.
  EXPECT_EQ(identity_candidates("x.a.example.com", ""), (Names{"x.a.example.com", "_.a.example.com"}));
}

TEST(IdentityCandidates, NoServerNameMeansTheDefaultOnly) {
  EXPECT_EQ(identity_candidates("", "default_8443"), (Names{"default_8443"}));
  EXPECT_EQ(identity_candidates("", ""), Names{});
}

TEST(IdentityCandidates, SingleLabelHasNoWildcard) {
  EXPECT_EQ(identity_candidates("localhost", "d"), (Names{"localhost", "d"}));
  EXPECT_EQ(identity_candidates("a.", "d"), (Names{"a.", "d"}));
}

TEST(IdentityCandidates, ServerNameIsLowerCased) {
  EXPECT_EQ(identity_candidates("A.Example.COM", ""), (Names{"a.example.com", "_.example.com"}));
}

TEST(IdentityName, RefusesNamesThatCouldEscapeTheDirectoryOrAreNotHostNames) {
  EXPECT_EQ(identity_name("../etc/passwd"), std::nullopt);
  EXPECT_EQ(identity_name("a/b"), std::nullopt);
  EXPECT_EQ(identity_name(".."), std::nullopt);
  EXPECT_EQ(identity_name(".hidden"), std::nullopt);
  EXPECT_EQ(identity_name(std::string_view("a\0b", 3)), std::nullopt);
  EXPECT_EQ(identity_name("a\nb"), std::nullopt);
  EXPECT_EQ(identity_name("a\x7f"), std::nullopt);
  EXPECT_EQ(identity_name(""), std::nullopt);
  EXPECT_EQ(identity_name(std::string(kServerNameMaxBytes + 1, 'a')), std::nullopt);
  EXPECT_EQ(identity_name(std::string(kServerNameMaxBytes, 'a')), std::string(kServerNameMaxBytes, 'a'));
  // A refused name still falls back to the default.
  EXPECT_EQ(identity_candidates("a/b.example.com", "d"), (Names{"d"}));
}

}  // namespace
}  // namespace zedge::tls
