#include "privacy/masking.h"

#include <gtest/gtest.h>

#include <string>

namespace banyan::privacy {
namespace {

struct Case {
  MaskRule rule;
  std::string value;
  std::string masked;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << MaskRuleName(c.rule) << "(\"" << c.value << "\")";
}

class MaskTable : public ::testing::TestWithParam<Case> {};

TEST_P(MaskTable, MasksAsDocumented) {
  const Case& c = GetParam();
  EXPECT_EQ(Mask(c.rule, c.value), c.masked);
}

INSTANTIATE_TEST_SUITE_P(
    Phone, MaskTable,
    ::testing::Values(Case{MaskRule::kPhone, "13812341234", "138****1234"},
                      Case{MaskRule::kPhone, "+8613812341234", "+86138****1234"},
                      Case{MaskRule::kPhone, "+86 138-1234-1234", "+86138****1234"},
                      Case{MaskRule::kPhone, "02161234567", "021****4567"},
                      Case{MaskRule::kPhone, "+85291234567", "+852****4567"},
                      Case{MaskRule::kPhone, "61234567", "****4567"},
                      Case{MaskRule::kPhone, "1234", "****"},
                      Case{MaskRule::kPhone, "123456", "****"},
                      Case{MaskRule::kPhone, "+86", "****"},
                      Case{MaskRule::kPhone, "138abcd1234", "****"},
                      Case{MaskRule::kPhone, "电话13812341234", "****"}));

INSTANTIATE_TEST_SUITE_P(
    IdNumber, MaskTable,
    ::testing::Values(Case{MaskRule::kIdNumber, "11010119900101123X", "1****************X"},
                      Case{MaskRule::kIdNumber, "110101900101123", "1*************3"},
                      Case{MaskRule::kIdNumber, "E12345678", "E*******8"},
                      Case{MaskRule::kIdNumber, "1234567", "****"},
                      Case{MaskRule::kIdNumber, "X", "****"}));

INSTANTIATE_TEST_SUITE_P(
    CardNumber, MaskTable,
    ::testing::Values(Case{MaskRule::kCardNumber, "6228481234561234", "622848******1234"},
                      Case{MaskRule::kCardNumber, "6228 4812 3456 1234", "622848******1234"},
                      Case{MaskRule::kCardNumber, "6217000010012345678", "621700*********5678"},
                      Case{MaskRule::kCardNumber, "310000123456", "********3456"},
                      Case{MaskRule::kCardNumber, "1234567", "****"},
                      Case{MaskRule::kCardNumber, "6228-4812-3456-12X4", "****"}));

INSTANTIATE_TEST_SUITE_P(
    Name, MaskTable,
    ::testing::Values(Case{MaskRule::kName, "张三", "张*"}, Case{MaskRule::kName, "李小龙", "李**"},
                      Case{MaskRule::kName, "王", "*"}, Case{MaskRule::kName, "欧阳娜娜", "欧阳**"},
                      Case{MaskRule::kName, "欧阳锋", "欧阳*"},
                      Case{MaskRule::kName, "欧阳", "欧*"},
                      Case{MaskRule::kName, "诸葛亮", "诸葛*"},
                      Case{MaskRule::kName, "阿依古丽·买买提", "阿*******"},
                      Case{MaskRule::kName, "Li Lei", "L*****"}, Case{MaskRule::kName, "A", "*"}));

INSTANTIATE_TEST_SUITE_P(
    Email, MaskTable,
    ::testing::Values(Case{MaskRule::kEmail, "zhangsan@example.com", "z***@example.com"},
                      Case{MaskRule::kEmail, "a@b.cn", "a***@b.cn"},
                      Case{MaskRule::kEmail, "张三@例子.中国", "张***@例子.中国"},
                      Case{MaskRule::kEmail, "not-an-email", "****"},
                      Case{MaskRule::kEmail, "@example.com", "****"},
                      Case{MaskRule::kEmail, "zhang@", "****"}));

INSTANTIATE_TEST_SUITE_P(AmountAndNone, MaskTable,
                         ::testing::Values(Case{MaskRule::kAmount, "1234567.89", "***"},
                                           Case{MaskRule::kAmount, "0", "***"},
                                           Case{MaskRule::kNone, "13812341234", "13812341234"},
                                           Case{MaskRule::kNone, "", ""},
                                           Case{MaskRule::kPhone, "", ""},
                                           Case{MaskRule::kName, "", ""}));

INSTANTIATE_TEST_SUITE_P(Address, MaskTable,
                         ::testing::Values(Case{MaskRule::kAddress, "上海市浦东新区陆家嘴路1号",
                                                "上海市浦东新****"},
                                           Case{MaskRule::kAddress, "北京市朝阳区", "北京市****"},
                                           Case{MaskRule::kAddress, "深圳", "深****"},
                                           Case{MaskRule::kAddress, "A", "****"}));

INSTANTIATE_TEST_SUITE_P(Date, MaskTable,
                         ::testing::Values(Case{MaskRule::kDate, "1990-05-17", "1990-**-**"},
                                           Case{MaskRule::kDate, "19900517", "1990****"},
                                           Case{MaskRule::kDate, "1990/05/17", "****"},
                                           Case{MaskRule::kDate, "May 1990", "****"}));

INSTANTIATE_TEST_SUITE_P(
    Opaque, MaskTable,
    ::testing::Values(Case{MaskRule::kOpaque, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUp****S6o"},
                      Case{MaskRule::kOpaque, "123456789", "123****789"},
                      Case{MaskRule::kOpaque, "12345678", "****"},
                      Case{MaskRule::kOpaque, "设备标识符一二三四五", "设备标****三四五"}));

INSTANTIATE_TEST_SUITE_P(
    NotUtf8, MaskTable,
    ::testing::Values(Case{MaskRule::kName, "\xE5\xBC", "****"},
                      Case{MaskRule::kAddress, "\xC0\xAF\xC0\xAF\xC0\xAF\xC0\xAF", "****"},
                      Case{MaskRule::kOpaque, "abcdefghij\xED\xA0\x80", "****"}));

TEST(MaskRuleNames, RoundTripEveryRule) {
  for (MaskRule rule : {MaskRule::kNone, MaskRule::kPhone, MaskRule::kIdNumber,
                        MaskRule::kCardNumber, MaskRule::kName, MaskRule::kEmail, MaskRule::kAmount,
                        MaskRule::kAddress, MaskRule::kOpaque, MaskRule::kDate}) {
    EXPECT_EQ(ParseMaskRule(MaskRuleName(rule)), rule) << MaskRuleName(rule);
  }
  EXPECT_EQ(MaskRuleName(MaskRule::kIdNumber), "id_number");
  EXPECT_EQ(ParseMaskRule("Phone"), std::nullopt);
  EXPECT_EQ(ParseMaskRule(""), std::nullopt);
}

// Whatever the input, a masked value never contains the clear value (for inputs long enough
// that the rule hides something).
TEST(Mask, NeverReturnsTheWholeValue) {
  for (MaskRule rule : {MaskRule::kPhone, MaskRule::kIdNumber, MaskRule::kCardNumber,
                        MaskRule::kName, MaskRule::kEmail, MaskRule::kAmount, MaskRule::kAddress,
                        MaskRule::kOpaque, MaskRule::kDate}) {
    for (const std::string value : {"13812341234", "张三", "a@b.cn", "1990-05-17", "x", "12"}) {
      EXPECT_NE(Mask(rule, value), value) << MaskRuleName(rule) << " " << value;
    }
  }
}

}  // namespace
}  // namespace banyan::privacy
