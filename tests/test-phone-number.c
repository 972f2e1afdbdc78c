/* test-phone-number.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Numbers as staff type them, read by pv_phone_number_parse() in the office's country.
 * Every expected value was checked against libphonenumber 8.12.57 (Debian 12): the
 * numbering plans are its data, not ours, so what is tested here is that they reach the
 * caller intact, and that PhoneVerify's own checks (characters, types it never texts, the
 * messages) come on top. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "pv-phone-number.h"
#include "pv-text.h"

#define ANY_TYPE  (-1)
#define NO_ERROR  (-1)

typedef struct
{
  const char *region;         /* the office's country */
  const char *input;
  const char *e164;           /* NULL when refused */
  const char *national;       /* NULL: not checked */
  const char *international;  /* NULL: not checked */
  const char *country;        /* the number's own; NULL: not checked */
  int         type;           /* a PvPhoneNumberType, or ANY_TYPE */
  int         error;          /* a PvPhoneNumberError, or NO_ERROR */
} ParseCase;

/* Every form of the number and its type. */
#define NUMBER(region, input, e164, national, international, country, type) \
  { region, input, e164, national, international, country, PV_PHONE_NUMBER_TYPE_##type, NO_ERROR }
/* Only where the number ends up: another way of writing one checked in full. */
#define E164(region, input, e164, country) \
  { region, input, e164, NULL, NULL, country, ANY_TYPE, NO_ERROR }
#define REFUSED(region, input, error) \
  { region, input, NULL, NULL, NULL, NULL, ANY_TYPE, PV_PHONE_NUMBER_ERROR_##error }

static const ParseCase cases[] = {
  /* The forms staff type in the United States and Canada, and the 011 exit code. */
  NUMBER ("US", "(415) 555-2671", "+14155552671",
          "(415) 555-2671", "+1 415-555-2671", "US", FIXED_LINE_OR_MOBILE),
  NUMBER ("US", "+1 415-555-2671", "+14155552671",
          "(415) 555-2671", "+1 415-555-2671", "US", FIXED_LINE_OR_MOBILE),
  NUMBER ("US", "1 415 555 2671", "+14155552671",
          "(415) 555-2671", "+1 415-555-2671", "US", FIXED_LINE_OR_MOBILE),
  E164 ("US", "415.555.2671", "+14155552671", "US"),
  E164 ("US", "+1 (415) 555-2671", "+14155552671", "US"),
  E164 ("US", "1-415-555-2671", "+14155552671", "US"),
  NUMBER ("US", "212 555 0123", "+12125550123",
          "(212) 555-0123", "+1 212-555-0123", "US", FIXED_LINE_OR_MOBILE),
  NUMBER ("CA", "(416) 555-0123", "+14165550123",
          "(416) 555-0123", "+1 416-555-0123", "CA", FIXED_LINE_OR_MOBILE),
  E164 ("CA", "+1 604 555 5555", "+16045555555", "CA"),
  NUMBER ("US", "011 44 20 7946 0018", "+442079460018",
          "020 7946 0018", "+44 20 7946 0018", "GB", FIXED_LINE),
  E164 ("CA", "011 44 20 7946 0018", "+442079460018", "GB"),
  E164 ("US", "011 49 30 1234567", "+49301234567", "DE"),
  E164 ("US", "011 33 6 12 34 56 78", "+33612345678", "FR"),
  E164 ("CA", "011 49 30 1234567", "+49301234567", "DE"),

  /* The exit code is the office's: 00 is not one in the United States, 011 not one in Germany. */
  REFUSED ("US", "00 44 20 7946 0018", TOO_LONG),
  REFUSED ("DE", "011 44 20 7946 0018", INVALID),

  /* The United Kingdom: national, international, and the +44 (0) convention. */
  NUMBER ("GB", "020 7946 0018", "+442079460018",
          "020 7946 0018", "+44 20 7946 0018", "GB", FIXED_LINE),
  E164 ("GB", "+44 20 7946 0018", "+442079460018", "GB"),
  E164 ("GB", "+44 (0)20 7946 0018", "+442079460018", "GB"),
  E164 ("GB", "+44(0)2079460018", "+442079460018", "GB"),
  E164 ("GB", "+44 (0) 20 7946 0018", "+442079460018", "GB"),
  E164 ("GB", "0044 20 7946 0018", "+442079460018", "GB"),
  NUMBER ("GB", "07400 123456", "+447400123456", "07400 123456", "+44 7400 123456", "GB", MOBILE),
  E164 ("GB", "+44 (0)7400 123456", "+447400123456", "GB"),
  NUMBER ("GB", "0121 234 5678", "+441212345678",
          "0121 234 5678", "+44 121 234 5678", "GB", FIXED_LINE),
  E164 ("GB", "00 1 415 555 2671", "+14155552671", "US"),
  /* Guernsey, Jersey and the Isle of Man share +44 and its plan: libphonenumber puts
   * 07911 in Guernsey, and 07624 in the Isle of Man. */
  NUMBER ("GB", "07911 123456", "+447911123456",
          "07911 123456", "+44 7911 123456", "GG", MOBILE),
  E164 ("GB", "07624 123456", "+447624123456", "IM"),

  /* Germany: the trunk prefix 0, 00 to dial out, and the separators Germans write. */
  NUMBER ("DE", "030 1234567", "+49301234567", "030 1234567", "+49 30 1234567", "DE", FIXED_LINE),
  E164 ("DE", "030 12345678", "+493012345678", "DE"),
  NUMBER ("DE", "+49 30 12345678", "+493012345678",
          "030 12345678", "+49 30 12345678", "DE", FIXED_LINE),
  E164 ("DE", "0049 30 12345678", "+493012345678", "DE"),
  E164 ("DE", "+49 (0)30/1234567", "+49301234567", "DE"),
  E164 ("DE", "+49 (0) 30 / 123 45 67", "+49301234567", "DE"),
  E164 ("DE", "030/1234567", "+49301234567", "DE"),
  E164 ("DE", "030-1234567", "+49301234567", "DE"),
  E164 ("DE", "+49-30-1234567", "+49301234567", "DE"),
  NUMBER ("DE", "089 12345678", "+498912345678",
          "089 12345678", "+49 89 12345678", "DE", FIXED_LINE),
  NUMBER ("DE", "0151 23456789", "+4915123456789",
          "01512 3456789", "+49 1512 3456789", "DE", MOBILE),
  NUMBER ("DE", "0176 12345678", "+4917612345678",
          "0176 12345678", "+49 176 12345678", "DE", MOBILE),
  E164 ("DE", "00 1 415 555 2671", "+14155552671", "US"),
  /* Germany's subscriber numbers have no fixed length: libphonenumber takes from 3
   * digits after 030 to more than E.164's 15 in all (see known_bugs[]). */
  NUMBER ("DE", "030 123", "+4930123", "030 123", "+49 30 123", "DE", FIXED_LINE),
  E164 ("DE", "030 12345678901", "+493012345678901", "DE"),

  /* France. */
  NUMBER ("FR", "01 23 45 67 89", "+33123456789",
          "01 23 45 67 89", "+33 1 23 45 67 89", "FR", FIXED_LINE),
  NUMBER ("FR", "06 12 34 56 78", "+33612345678",
          "06 12 34 56 78", "+33 6 12 34 56 78", "FR", MOBILE),
  E164 ("FR", "+33 6 12 34 56 78", "+33612345678", "FR"),
  E164 ("FR", "+33 (0)6 12 34 56 78", "+33612345678", "FR"),
  E164 ("FR", "0033 1 23 45 67 89", "+33123456789", "FR"),
  E164 ("FR", "06.12.34.56.78", "+33612345678", "FR"),

  /* Italy keeps its 0 after +39; 06 698 is the Vatican's, in Rome's area code. */
  NUMBER ("IT", "02 1234 5678", "+390212345678",
          "02 1234 5678", "+39 02 1234 5678", "IT", FIXED_LINE),
  E164 ("IT", "+39 02 1234 5678", "+390212345678", "IT"),
  E164 ("IT", "0039 02 1234 5678", "+390212345678", "IT"),
  E164 ("IT", "+39 (0)2 1234 5678", "+390212345678", "IT"),
  /* Gabon's old seven-digit numbers and its new eight-digit ones (a leading 0 added) share
   * a national form; at home the old ones are written internationally so both read back. */
  NUMBER ("GA", "+241 5 55 26 71", "+2415552671",
          "+241 5 55 26 71", "+241 5 55 26 71", "GA", MOBILE),
  NUMBER ("GA", "05 55 26 71", "+24105552671",
          "05 55 26 71", "+241 05 55 26 71", "GA", MOBILE),
  NUMBER ("IT", "06 6982 1234", "+390669821234",
          "06 6982 1234", "+39 06 6982 1234", "VA", FIXED_LINE),
  NUMBER ("IT", "312 345 6789", "+393123456789", "312 345 6789", "+39 312 345 6789", "IT", MOBILE),
  E164 ("IT", "+39 3123456789", "+393123456789", "IT"),

  /* Spain, the Netherlands, Belgium. */
  NUMBER ("ES", "912 34 56 78", "+34912345678",
          "912 34 56 78", "+34 912 34 56 78", "ES", FIXED_LINE),
  NUMBER ("ES", "612 34 56 78", "+34612345678", "612 34 56 78", "+34 612 34 56 78", "ES", MOBILE),
  E164 ("ES", "0034 91 234 56 78", "+34912345678", "ES"),
  NUMBER ("NL", "020 123 4567", "+31201234567",
          "020 123 4567", "+31 20 123 4567", "NL", FIXED_LINE),
  NUMBER ("NL", "06 12345678", "+31612345678", "06 12345678", "+31 6 12345678", "NL", MOBILE),
  E164 ("NL", "0031 6 12345678", "+31612345678", "NL"),
  NUMBER ("BE", "02 234 56 78", "+3222345678", "02 234 56 78", "+32 2 234 56 78", "BE", FIXED_LINE),
  NUMBER ("BE", "0470 12 34 56", "+32470123456", "0470 12 34 56", "+32 470 12 34 56", "BE", MOBILE),
  E164 ("BE", "+32 470 12 34 56", "+32470123456", "BE"),

  /* Switzerland, Austria. */
  NUMBER ("CH", "044 668 18 00", "+41446681800",
          "044 668 18 00", "+41 44 668 18 00", "CH", FIXED_LINE),
  NUMBER ("CH", "078 123 45 67", "+41781234567", "078 123 45 67", "+41 78 123 45 67", "CH", MOBILE),
  E164 ("CH", "0041 78 123 45 67", "+41781234567", "CH"),
  NUMBER ("AT", "01 234567890", "+431234567890",
          "01 234567890", "+43 1 234567890", "AT", FIXED_LINE),
  NUMBER ("AT", "0664 123456", "+43664123456", "0664 123456", "+43 664 123456", "AT", MOBILE),
  E164 ("AT", "0043 664 123456", "+43664123456", "AT"),

  /* The Nordic countries, Poland, Portugal, Ireland, Greece, Czechia. */
  NUMBER ("SE", "08 123 456 78", "+46812345678",
          "08-123 456 78", "+46 8 123 456 78", "SE", FIXED_LINE),
  NUMBER ("SE", "070 123 45 67", "+46701234567", "070-123 45 67", "+46 70 123 45 67", "SE", MOBILE),
  E164 ("SE", "00 46 70 123 45 67", "+46701234567", "SE"),
  NUMBER ("NO", "22 12 34 56", "+4722123456", "22 12 34 56", "+47 22 12 34 56", "NO", FIXED_LINE),
  NUMBER ("NO", "412 34 567", "+4741234567", "412 34 567", "+47 412 34 567", "NO", MOBILE),
  NUMBER ("DK", "20 12 34 56", "+4520123456",
          "20 12 34 56", "+45 20 12 34 56", "DK", FIXED_LINE_OR_MOBILE),
  NUMBER ("FI", "041 2345678", "+358412345678", "041 2345678", "+358 41 2345678", "FI", MOBILE),
  NUMBER ("PL", "12 345 67 89", "+48123456789",
          "12 345 67 89", "+48 12 345 67 89", "PL", FIXED_LINE),
  NUMBER ("PL", "512 345 678", "+48512345678", "512 345 678", "+48 512 345 678", "PL", MOBILE),
  NUMBER ("PT", "912 345 678", "+351912345678", "912 345 678", "+351 912 345 678", "PT", MOBILE),
  NUMBER ("IE", "085 123 4567", "+353851234567", "085 123 4567", "+353 85 123 4567", "IE", MOBILE),
  NUMBER ("IE", "01 234 5678", "+35312345678",
          "(01) 234 5678", "+353 1 234 5678", "IE", FIXED_LINE),
  NUMBER ("GR", "691 234 5678", "+306912345678", "691 234 5678", "+30 691 234 5678", "GR", MOBILE),
  NUMBER ("CZ", "601 123 456", "+420601123456", "601 123 456", "+420 601 123 456", "CZ", MOBILE),

  /* Russia's trunk prefix is 8, and 8 10 dials out. */
  NUMBER ("RU", "8 912 345 67 89", "+79123456789",
          "8 (912) 345-67-89", "+7 912 345-67-89", "RU", MOBILE),
  E164 ("RU", "+7 912 345-67-89", "+79123456789", "RU"),
  NUMBER ("RU", "8 495 123 45 67", "+74951234567",
          "8 (495) 123-45-67", "+7 495 123-45-67", "RU", FIXED_LINE),
  E164 ("RU", "8 10 49 30 1234567", "+49301234567", "DE"),
  E164 ("RU", "810 49 30 1234567", "+49301234567", "DE"),

  /* Hungary's trunk prefix is 06, and 00 dials out. */
  NUMBER ("HU", "06 30 123 4567", "+36301234567",
          "06 30 123 4567", "+36 30 123 4567", "HU", MOBILE),
  E164 ("HU", "+36 30 123 4567", "+36301234567", "HU"),
  NUMBER ("HU", "06 1 234 5678", "+3612345678",
          "(06 1) 234 5678", "+36 1 234 5678", "HU", FIXED_LINE),
  E164 ("HU", "00 49 30 1234567", "+49301234567", "DE"),

  /* Australia: 0011 to dial out. */
  NUMBER ("AU", "(02) 1234 5678", "+61212345678",
          "(02) 1234 5678", "+61 2 1234 5678", "AU", FIXED_LINE),
  NUMBER ("AU", "0412 345 678", "+61412345678", "0412 345 678", "+61 412 345 678", "AU", MOBILE),
  E164 ("AU", "+61 (0)4 1234 5678", "+61412345678", "AU"),
  NUMBER ("AU", "0011 44 20 7946 0018", "+442079460018",
          "020 7946 0018", "+44 20 7946 0018", "GB", FIXED_LINE),
  E164 ("AU", "0011 49 30 1234567", "+49301234567", "DE"),

  /* Japan, Korea, China, India, Singapore, Israel, Turkey. */
  NUMBER ("JP", "03-1234-5678", "+81312345678",
          "03-1234-5678", "+81 3-1234-5678", "JP", FIXED_LINE),
  NUMBER ("JP", "090-1234-5678", "+819012345678",
          "090-1234-5678", "+81 90-1234-5678", "JP", MOBILE),
  E164 ("JP", "03.1234.5678", "+81312345678", "JP"),
  E164 ("JP", "010 1 415 555 2671", "+14155552671", "US"),
  NUMBER ("KR", "010-2000-0000", "+821020000000",
          "010-2000-0000", "+82 10-2000-0000", "KR", MOBILE),
  NUMBER ("CN", "010 1234 5678", "+861012345678",
          "010 1234 5678", "+86 10 1234 5678", "CN", FIXED_LINE),
  NUMBER ("CN", "138 0013 8000", "+8613800138000",
          "138 0013 8000", "+86 138 0013 8000", "CN", MOBILE),
  E164 ("CN", "00 49 30 1234567", "+49301234567", "DE"),
  NUMBER ("IN", "098765 43210", "+919876543210", "098765 43210", "+91 98765 43210", "IN", MOBILE),
  E164 ("IN", "+91 98765 43210", "+919876543210", "IN"),
  NUMBER ("IN", "011 2345 6789", "+911123456789",
          "011 2345 6789", "+91 11 2345 6789", "IN", FIXED_LINE),
  NUMBER ("SG", "8123 4567", "+6581234567", "8123 4567", "+65 8123 4567", "SG", MOBILE),
  NUMBER ("IL", "050-234-5678", "+972502345678", "050-234-5678", "+972 50-234-5678", "IL", MOBILE),
  NUMBER ("TR", "0212 345 67 89", "+902123456789",
          "(0212) 345 67 89", "+90 212 345 67 89", "TR", FIXED_LINE),
  NUMBER ("TR", "0501 234 56 78", "+905012345678",
          "0501 234 56 78", "+90 501 234 56 78", "TR", MOBILE),

  /* The Americas: Brazil's and Mexico's trunk and mobile prefixes, Argentina's 15. */
  NUMBER ("BR", "(11) 96123-4567", "+5511961234567",
          "(11) 96123-4567", "+55 11 96123-4567", "BR", MOBILE),
  E164 ("BR", "011 96123-4567", "+5511961234567", "BR"),
  E164 ("BR", "+55 (11) 96123-4567", "+5511961234567", "BR"),
  NUMBER ("BR", "(11) 2345-6789", "+551123456789",
          "(11) 2345-6789", "+55 11 2345-6789", "BR", FIXED_LINE),
  NUMBER ("MX", "55 1234 5678", "+525512345678",
          "55 1234 5678", "+52 55 1234 5678", "MX", FIXED_LINE_OR_MOBILE),
  E164 ("MX", "+52 1 55 1234 5678", "+525512345678", "MX"),
  E164 ("MX", "044 55 1234 5678", "+525512345678", "MX"),
  E164 ("MX", "01 55 1234 5678", "+525512345678", "MX"),
  NUMBER ("AR", "011 15 2345-6789", "+5491123456789",
          "011 15-2345-6789", "+54 9 11 2345-6789", "AR", MOBILE),

  /* Africa, Oceania. */
  NUMBER ("ZA", "071 123 4567", "+27711234567", "071 123 4567", "+27 71 123 4567", "ZA", MOBILE),
  NUMBER ("ZA", "011 123 4567", "+27111234567",
          "011 123 4567", "+27 11 123 4567", "ZA", FIXED_LINE),
  E164 ("ZA", "+27 (0)71 123 4567", "+27711234567", "ZA"),
  NUMBER ("NG", "0802 123 4567", "+2348021234567",
          "0802 123 4567", "+234 802 123 4567", "NG", MOBILE),
  NUMBER ("NG", "01 234 5678", "+23412345678", "01 234 5678", "+234 1 234 5678", "NG", FIXED_LINE),
  E164 ("NG", "009 49 30 1234567", "+49301234567", "DE"),
  NUMBER ("NZ", "021 123 4567", "+64211234567", "021 123 4567", "+64 21 123 4567", "NZ", MOBILE),

  /* A number from elsewhere is read by its own country code, whatever the office's. */
  NUMBER ("US", "+44 20 7183 8750", "+442071838750",
          "020 7183 8750", "+44 20 7183 8750", "GB", FIXED_LINE),
  E164 ("DE", "0044 20 7183 8750", "+442071838750", "GB"),
  E164 ("GB", "+1 415 555 2671", "+14155552671", "US"),
  NUMBER ("US", "+7 701 234 5678", "+77012345678",
          "8 (701) 234 5678", "+7 701 234 5678", "KZ", MOBILE),
  NUMBER ("US", "+1 787 555 1234", "+17875551234",
          "(787) 555-1234", "+1 787-555-1234", "PR", FIXED_LINE_OR_MOBILE),
  NUMBER ("US", "+44 7624 123456", "+447624123456",
          "07624 123456", "+44 7624 123456", "IM", MOBILE),
  /* A satellite number is nobody's national number: it is written the one way it dials. */
  NUMBER ("US", "+870 773 111 632", "+870773111632",
          "+870 773 111 632", "+870 773 111 632", "001", MOBILE),

  /* Premium-rate numbers. */
  REFUSED ("DE", "0900 1 234567", PREMIUM_RATE),
  REFUSED ("DE", "09001 234567", PREMIUM_RATE),
  REFUSED ("GB", "09098 765432", PREMIUM_RATE),
  REFUSED ("GB", "0871 123 4567", PREMIUM_RATE),
  REFUSED ("US", "1-900-555-0100", PREMIUM_RATE),
  REFUSED ("FR", "08 92 12 34 56", PREMIUM_RATE),
  REFUSED ("IT", "899 123456", PREMIUM_RATE),
  REFUSED ("ES", "803 12 34 56", PREMIUM_RATE),
  REFUSED ("NL", "0900 1234567", PREMIUM_RATE),
  REFUSED ("CH", "0900 123 456", PREMIUM_RATE),
  REFUSED ("AT", "0900 123456", PREMIUM_RATE),
  REFUSED ("PL", "701 234 567", PREMIUM_RATE),
  REFUSED ("RU", "8 809 123 45 67", PREMIUM_RATE),
  REFUSED ("HU", "06 90 123 456", PREMIUM_RATE),
  REFUSED ("AU", "1900 123 456", PREMIUM_RATE),
  REFUSED ("JP", "0990-123-456", PREMIUM_RATE),

  /* Shared-cost numbers, where libphonenumber types them. */
  REFUSED ("DE", "0180 1 234567", SHARED_COST),
  REFUSED ("FR", "0810 12 34 56", SHARED_COST),
  REFUSED ("IT", "848 123456", SHARED_COST),
  REFUSED ("ES", "901 12 34 56", SHARED_COST),
  REFUSED ("AT", "0810 123456", SHARED_COST),
  REFUSED ("CH", "0840 123 456", SHARED_COST),
  REFUSED ("AU", "1300 123 456", SHARED_COST),
  REFUSED ("CN", "400 123 4567", SHARED_COST),
  REFUSED ("ZA", "0860 12 3456", SHARED_COST),
  REFUSED ("BR", "0300 123 4567", SHARED_COST),

  /* Toll-free numbers. */
  REFUSED ("US", "1-800-555-0199", TOLL_FREE),
  REFUSED ("US", "+1 800 234 5678", TOLL_FREE),
  REFUSED ("CA", "1-800-234-5678", TOLL_FREE),
  REFUSED ("DE", "0800 1234567", TOLL_FREE),
  REFUSED ("DE", "0800 330 1000", TOLL_FREE),
  REFUSED ("GB", "0800 123 4567", TOLL_FREE),
  REFUSED ("FR", "0800 12 34 56", TOLL_FREE),
  REFUSED ("JP", "0120-123-456", TOLL_FREE),
  REFUSED ("IN", "1800 123 4567", TOLL_FREE),
  REFUSED ("RU", "8 800 123 45 67", TOLL_FREE),
  REFUSED ("AU", "1800 123 456", TOLL_FREE),
  REFUSED ("US", "+800 1234 5678", TOLL_FREE),

  /* Too short: a local number without its area code, or digits missing. */
  REFUSED ("US", "555-2671", TOO_SHORT),
  REFUSED ("US", "2345678", TOO_SHORT),
  REFUSED ("US", "+1 555", TOO_SHORT),
  REFUSED ("US", "12345", TOO_SHORT),
  REFUSED ("US", "+1 415 555 267", TOO_SHORT),
  REFUSED ("FR", "01 23 45 67", TOO_SHORT),
  REFUSED ("DE", "12", TOO_SHORT),

  /* Too long. */
  REFUSED ("US", "(415) 555-26710", TOO_LONG),
  REFUSED ("US", "4155552671000000", TOO_LONG),
  REFUSED ("US", "+1234567890123456", TOO_LONG),
  REFUSED ("FR", "01 23 45 67 89 0", TOO_LONG),
  REFUSED ("GB", "020 7946 00188", TOO_LONG),
  REFUSED ("DE", "+49 30 123456789012345", TOO_LONG),

  /* The right length, but no such number. */
  REFUSED ("US", "(201) 123-4567", INVALID),
  REFUSED ("US", "+1 999 555 0123", INVALID),
  REFUSED ("GB", "+44 99 1234 5678", INVALID),
  REFUSED ("GB", "020 7946 001", INVALID),
  REFUSED ("BE", "02 123 45 67", INVALID),
  REFUSED ("RU", "8 912 345 67 8", INVALID),
  REFUSED ("CN", "138 0013 800", INVALID),
  REFUSED ("DE", "0137 123456", INVALID),
  REFUSED ("US", "+882 1234 5678", INVALID),

  /* No country has the code. */
  REFUSED ("US", "+999 123 456 789", BAD_COUNTRY_CODE),
  REFUSED ("DE", "+999 30 1234567", BAD_COUNTRY_CODE),
  REFUSED ("DE", "00 999 1234567", BAD_COUNTRY_CODE),
  REFUSED ("US", "+0 415 555 2671", BAD_COUNTRY_CODE),

  /* The office's country is not one. */
  REFUSED ("XX", "030 1234567", UNKNOWN_COUNTRY),
  REFUSED ("ZZ", "+49 30 1234567", UNKNOWN_COUNTRY),
  REFUSED ("de", "030 1234567", UNKNOWN_COUNTRY),
  REFUSED ("", "030 1234567", UNKNOWN_COUNTRY),
  REFUSED ("DEU", "030 1234567", UNKNOWN_COUNTRY),
  REFUSED ("001", "+800 1234 5678", UNKNOWN_COUNTRY),

  /* Nothing to read. */
  REFUSED ("US", "", EMPTY),
  REFUSED ("US", "   ", EMPTY),
  REFUSED ("US", "+", EMPTY),
  REFUSED ("US", "( - )", EMPTY),
  REFUSED ("US", NULL, EMPTY),
  REFUSED ("DE", "1", INVALID),

  /* Letters are a typing mistake, never a keypad's digits. */
  REFUSED ("US", "1-800-FLOWERS", LETTERS),
  REFUSED ("US", "+1-800-FLOWERS", LETTERS),
  REFUSED ("US", "four one five", LETTERS),
  REFUSED ("US", "+1 415 555 267l", LETTERS),
  REFUSED ("US", "+49 30 ÄÖÜ", LETTERS),
  REFUSED ("US", "+1 (415) 555-2671 ext. 12", LETTERS),
  REFUSED ("US", "+1 415 555 2671 x12", LETTERS),

  /* Other symbols, and a "+" that is not leading. */
  REFUSED ("US", "+1 415 555 2671#", INVALID_CHARACTER),
  REFUSED ("US", "*31#4155552671", INVALID_CHARACTER),
  REFUSED ("US", "1+4155552671", INVALID_CHARACTER),
  REFUSED ("US", "+1 415 555 2671 +", INVALID_CHARACTER),
  REFUSED ("US", "+1 415; DROP TABLE customers", INVALID_CHARACTER),
  REFUSED ("US", "+1 415 555 2671\u0301", INVALID_CHARACTER),

  /* Spaces that come with a paste, around the number or inside it. */
  E164 ("US", "  +44 20 7183 8750  ", "+442071838750", "GB"),
  E164 ("US", "\t+1 415 555 2671\n", "+14155552671", "US"),
  E164 ("US", "+1\u00a0415\u2011555\u20112671", "+14155552671", "US"),
  E164 ("DE", "\u00a0+49\u00a030\u00a01234567", "+49301234567", "DE"),
  E164 ("DE", "+49 30 1234567\u3000", "+49301234567", "DE"),
  /* libphonenumber knows none of these: they reach it as plain spaces. */
  E164 ("US", "+1\t415\t555 2671", "+14155552671", "US"),
  E164 ("US", "(415)\r\n555-2671", "+14155552671", "US"),
  E164 ("US", "+1\u2028415 555 2671", "+14155552671", "US"),
  E164 ("DE", "+49\u200930 1234567", "+49301234567", "DE"),
  E164 ("DE", "030\t1234567", "+49301234567", "DE"),

  /* Controls, bidi controls and invisible formatting, before the digits are looked at. */
  REFUSED ("US", "+1 415\x1b[31m 555 2671", CONTROL_CHARACTER),
  REFUSED ("US", "\x1b" "abc", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415 555 2671\x7f", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415 555 2671\xc2\x9b", CONTROL_CHARACTER),
  REFUSED ("US", "\u202a+1 415 555 2671\u202c", CONTROL_CHARACTER),
  REFUSED ("US", "\u202e1762 555 514 1+", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415\u2066 555 2671", CONTROL_CHARACTER),
  REFUSED ("US", "\u200e+1 415 555 2671", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415\u200b555 2671", CONTROL_CHARACTER),
  REFUSED ("US", "\ufeff+14155552671", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415\u200d555 2671", CONTROL_CHARACTER),
  REFUSED ("US", "+1 415 555 2671\u2062", CONTROL_CHARACTER),
  /* The same in another office's country. */
  REFUSED ("DE", "\u202e030 1234567", CONTROL_CHARACTER),

  /* Not UTF-8 at all. */
  REFUSED ("US", "+1 415\xff\xfe 555", INVALID_UTF8),
  REFUSED ("US", "+1 415 555 267\xc3", INVALID_UTF8),
  REFUSED ("US", "\xed\xa0\x80", INVALID_UTF8),
};

/* What pv_phone_number_parse() gets wrong today (see the report that came with these
 * tests). Each is a test of its own, marked incomplete ("# TODO" in TAP) while it fails,
 * so that a fix shows up as a pass: then move the case into cases[]. */
static const ParseCase known_bugs[] = {
  /* E.164 allows 15 digits at most, and Twilio no more, but libphonenumber 8.12.57 takes
   * German numbers of up to 15 digits after +49. */
  REFUSED ("DE", "030 123456789012", TOO_LONG),
  REFUSED ("DE", "0049 30 1234567890123", TOO_LONG),
  /* Only one "+" leads a number; earlier versions refused a second. */
  REFUSED ("US", "++14155552671", INVALID_CHARACTER),
  REFUSED ("DE", "+00 49 30 1234567", BAD_COUNTRY_CODE),
};

static const char *
error_name (int code)
{
  static const char * const names[] = {
    [PV_PHONE_NUMBER_ERROR_EMPTY] = "EMPTY",
    [PV_PHONE_NUMBER_ERROR_LETTERS] = "LETTERS",
    [PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER] = "INVALID_CHARACTER",
    [PV_PHONE_NUMBER_ERROR_TOO_SHORT] = "TOO_SHORT",
    [PV_PHONE_NUMBER_ERROR_TOO_LONG] = "TOO_LONG",
    [PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE] = "BAD_COUNTRY_CODE",
    [PV_PHONE_NUMBER_ERROR_INVALID_UTF8] = "INVALID_UTF8",
    [PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER] = "CONTROL_CHARACTER",
    [PV_PHONE_NUMBER_ERROR_INVALID] = "INVALID",
    [PV_PHONE_NUMBER_ERROR_PREMIUM_RATE] = "PREMIUM_RATE",
    [PV_PHONE_NUMBER_ERROR_SHARED_COST] = "SHARED_COST",
    [PV_PHONE_NUMBER_ERROR_TOLL_FREE] = "TOLL_FREE",
    [PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY] = "UNKNOWN_COUNTRY",
  };

  if (code < 0 || (guint) code >= G_N_ELEMENTS (names) || names[code] == NULL)
    return "?";

  return names[code];
}

static char *
describe_case (const ParseCase *c)
{
  g_autofree char *input = pv_text_escape (c->input, G_MAXSIZE);

  return g_strdup_printf ("“%s” in %s", c->input != NULL ? input : "(null)", c->region);
}

static char *
field_mismatch (const char *field,
                const char *got,
                const char *expected)
{
  if (expected == NULL || g_strcmp0 (got, expected) == 0)
    return NULL;

  return g_strdup_printf ("%s is “%s”, not “%s”", field, got, expected);
}

/* Why @c does not come out as expected, or NULL if it does. Both ways in are checked:
 * pv_phone_number_normalize() is the same reading, E.164 only. */
static char *
check_case (const ParseCase *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) normalize_error = NULL;
  g_autoptr(PvPhoneNumber) number = pv_phone_number_parse (c->input, c->region, &error);
  g_autofree char *normalized = pv_phone_number_normalize (c->input, c->region,
                                                           &normalize_error);
  char *mismatch;

  if (c->e164 == NULL)
    {
      if (number != NULL)
        return g_strdup_printf ("read as %s, not refused with %s", number->e164,
                                error_name (c->error));
      if (!g_error_matches (error, PV_PHONE_NUMBER_ERROR, c->error))
        return g_strdup_printf ("refused with %s (%s), not %s",
                                error->domain == PV_PHONE_NUMBER_ERROR
                                ? error_name (error->code) : g_quark_to_string (error->domain),
                                error->message, error_name (c->error));
      if (error->message == NULL || error->message[0] == '\0')
        return g_strdup ("refused without a message");
      if (normalized != NULL ||
          !g_error_matches (normalize_error, PV_PHONE_NUMBER_ERROR, c->error))
        return g_strdup ("pv_phone_number_normalize() reads it differently");

      return NULL;
    }

  if (number == NULL)
    return g_strdup_printf ("refused with %s (%s), not read as %s",
                            error->domain == PV_PHONE_NUMBER_ERROR
                            ? error_name (error->code) : g_quark_to_string (error->domain),
                            error->message, c->e164);
  g_assert_no_error (error);

  if ((mismatch = field_mismatch ("E.164", number->e164, c->e164)) != NULL ||
      (mismatch = field_mismatch ("the national form", number->national, c->national)) != NULL ||
      (mismatch = field_mismatch ("the international form", number->international,
                                  c->international)) != NULL ||
      (mismatch = field_mismatch ("the country", number->region, c->country)) != NULL)
    return mismatch;

  if (c->type != ANY_TYPE && (int) number->type != c->type)
    return g_strdup_printf ("the type is %s, not %s",
                            pv_phone_number_type_to_string (number->type),
                            pv_phone_number_type_to_string (c->type));

  if (number->country_code != pv_phone_number_country_code_for_region (number->region) &&
      pv_phone_number_is_region (number->region))
    return g_strdup_printf ("calling code %u is not %s's", number->country_code,
                            number->region);

  if (g_strcmp0 (normalized, c->e164) != 0)
    return g_strdup_printf ("pv_phone_number_normalize() gives “%s”", normalized);

  return NULL;
}

static void
test_parse_table (void)
{
  guint n_wrong = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = describe_case (&cases[i]);
      g_autofree char *mismatch = check_case (&cases[i]);

      /* Made visible: raw, some inputs would garble the TAP stream and the terminal. Every
       * case is checked, so that one run lists every wrong one. */
      if (mismatch != NULL)
        {
          g_test_message ("WRONG: case %u, %s: %s", i, shown, mismatch);
          n_wrong++;
        }
      else
        {
          g_test_message ("case %u: %s", i, shown);
        }
    }

  if (n_wrong > 0)
    g_test_fail_printf ("%u of %u cases are read wrongly (see “WRONG:” above)", n_wrong,
                        (guint) G_N_ELEMENTS (cases));
}

static void
test_parse_known_bug (gconstpointer data)
{
  const ParseCase *c = data;
  g_autofree char *shown = describe_case (c);
  g_autofree char *mismatch = check_case (c);

  if (mismatch != NULL)
    {
      g_test_fail_printf ("%s: %s", shown, mismatch);
      return;
    }
}

/* Whatever it is given, a number comes out in E.164 and, when it is a country's, in forms
 * that read back as the same number. */
static void
test_forms_read_back (void)
{
  g_autoptr(GRegex) e164 = g_regex_new ("^\\+[1-9][0-9]{6,14}$", 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvPhoneNumber) number = pv_phone_number_parse (cases[i].input,
                                                               cases[i].region, NULL);
      g_autoptr(PvPhoneNumber) from_national = NULL;
      g_autoptr(PvPhoneNumber) from_international = NULL;
      g_autoptr(GError) error = NULL;

      if (number == NULL)
        continue;

      g_test_message ("case %u: %s", i, number->e164);
      g_assert_true (g_regex_match (e164, number->e164, 0, NULL));

      /* As it is written to someone in another country, to Twilio, and at home. */
      from_international = pv_phone_number_parse (number->international, "JP", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (from_international->e164, ==, number->e164);

      if (!pv_phone_number_is_region (number->region))
        continue;   /* "001": +800 and the like are nobody's national numbers */
      from_national = pv_phone_number_parse (number->national, number->region, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (from_national->e164, ==, number->e164);
    }
}

static void
test_copy (void)
{
  g_autoptr(PvPhoneNumber) number = pv_phone_number_parse ("0151 23456789", "DE", NULL);
  g_autoptr(PvPhoneNumber) copy = NULL;

  g_assert_nonnull (number);
  copy = pv_phone_number_copy (number);
  g_assert_true (copy != number);
  g_assert_true (copy->e164 != number->e164);
  g_assert_cmpstr (copy->e164, ==, "+4915123456789");
  g_assert_cmpstr (copy->national, ==, number->national);
  g_assert_cmpstr (copy->international, ==, number->international);
  g_assert_cmpstr (copy->region, ==, "DE");
  g_assert_cmpuint (copy->country_code, ==, 49);
  g_assert_cmpint (copy->type, ==, PV_PHONE_NUMBER_TYPE_MOBILE);

  pv_phone_number_free (NULL);
}

/* -- messages ---------------------------------------------------------------------------- */

/* Each kind of refusal has its own message, so staff know what to fix. */
static void
test_messages_are_distinct (void)
{
  static const struct
  {
    const char *region;
    const char *input;
  } inputs[] = {
    { "US", "" }, { "US", "abc" }, { "US", "12#34567" }, { "US", "12345" }, { "US", "555-2671" },
    { "US", "+1234567890123456" }, { "US", "+999 123 456 789" }, { "US", "\xff" },
    { "US", "\x1b" }, { "US", "(201) 123-4567" }, { "US", "1-900-555-0100" },
    { "DE", "0180 1 234567" }, { "DE", "0800 1234567" }, { "XX", "030 1234567" },
  };
  g_autoptr(GHashTable) codes = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (pv_phone_number_parse (inputs[i].input, inputs[i].region, &error));
      g_assert_nonnull (error);
      g_assert_false (g_hash_table_contains (messages, error->message));
      g_hash_table_add (messages, g_strdup (error->message));
      g_hash_table_add (codes, GINT_TO_POINTER (error->code + 1));
    }

  /* Between them, every error code. */
  g_assert_cmpuint (g_hash_table_size (codes), ==, PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY + 1);
}

typedef struct
{
  const char *region;
  const char *input;
  int         error;
  const char *named;       /* the country the message must name, or NULL for none */
  const char *not_named;   /* a country it must not name */
} MessageCase;

/* A number that is not right is put in its country, for staff to check with the customer:
 * the one its calling code says, if it has one, else the office's. */
static const MessageCase message_cases[] = {
  { "DE", "1234", PV_PHONE_NUMBER_ERROR_INVALID, "Germany", NULL },
  { "BE", "02 123 45 67", PV_PHONE_NUMBER_ERROR_INVALID, "Belgium", NULL },
  { "US", "(201) 123-4567", PV_PHONE_NUMBER_ERROR_INVALID, "United States", NULL },
  { "FR", "01 23 45 67 89 0", PV_PHONE_NUMBER_ERROR_TOO_LONG, "France", NULL },
  { "GB", "020 7946 00188", PV_PHONE_NUMBER_ERROR_TOO_LONG, "United Kingdom", NULL },
  { "US", "+49 1512 345678901", PV_PHONE_NUMBER_ERROR_INVALID, "Germany", "United States" },
  { "US", "+33 1 23 45 67 89 0", PV_PHONE_NUMBER_ERROR_TOO_LONG, "France", "United States" },
};

/* The same, where the calling code is shared by several countries (+1, +7, +39, +44,
 * +61) or by none (+882): the message names the office's country instead, which the
 * number is not from. */
static const MessageCase message_known_bugs[] = {
  { "DE", "+1 201 123 4567", PV_PHONE_NUMBER_ERROR_INVALID, "United States", "Germany" },
  { "DE", "+1 415 555 26710", PV_PHONE_NUMBER_ERROR_TOO_LONG, "United States", "Germany" },
  { "DE", "+7 000 000 00 00", PV_PHONE_NUMBER_ERROR_INVALID, "Russian Federation", "Germany" },
  { "JP", "+39 02 1234 5678 9012", PV_PHONE_NUMBER_ERROR_TOO_LONG, "Italy", "Japan" },
  { "DE", "+44 99 1234 5678", PV_PHONE_NUMBER_ERROR_INVALID, "United Kingdom", "Germany" },
  { "GB", "+61 4 1234 5678 9", PV_PHONE_NUMBER_ERROR_INVALID, "Australia", "United Kingdom" },
  { "FR", "+882 1234 5678", PV_PHONE_NUMBER_ERROR_INVALID, NULL, "France" },
};

static char *
check_message_case (const MessageCase *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvPhoneNumber) number = pv_phone_number_parse (c->input, c->region, &error);

  if (number != NULL)
    return g_strdup_printf ("“%s” is read as %s", c->input, number->e164);
  if (!g_error_matches (error, PV_PHONE_NUMBER_ERROR, c->error))
    return g_strdup_printf ("“%s” is refused with %s, not %s", c->input,
                            error_name (error->code), error_name (c->error));
  if (c->named != NULL && strstr (error->message, c->named) == NULL)
    return g_strdup_printf ("“%s”: “%s” does not name %s", c->input, error->message, c->named);
  if (c->not_named != NULL && strstr (error->message, c->not_named) != NULL)
    return g_strdup_printf ("“%s”: “%s” names %s", c->input, error->message, c->not_named);

  return NULL;
}

static void
test_message_names_country (void)
{
  guint n_wrong = 0;

  for (guint i = 0; i < G_N_ELEMENTS (message_cases); i++)
    {
      g_autofree char *mismatch = check_message_case (&message_cases[i]);

      if (mismatch != NULL)
        {
          g_test_message ("WRONG: case %u: %s", i, mismatch);
          n_wrong++;
        }
    }

  if (n_wrong > 0)
    g_test_fail_printf ("%u messages are wrong (see “WRONG:” above)", n_wrong);
}

static void
test_message_known_bug (gconstpointer data)
{
  g_autofree char *mismatch = check_message_case (data);

  if (mismatch != NULL)
    {
      g_test_fail_printf ("%s", mismatch);
    }
}

/* What was typed is never repeated as it is: a character in the message could reorder the
 * message, hide, or reach a terminal as a command. */
static void
assert_message_is_safe (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *p = error->message; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false (g_unichar_iscntrl (c));
      g_assert_cmpint (g_unichar_type (c), !=, G_UNICODE_FORMAT);
    }
}

static void
test_messages_never_echo_raw_input (void)
{
  const char *inputs[] = {
    "+1 415\x1b]0;owned\x07 555", "\u202e1762 555 514 1+", "+1 415 \u2066555", "+1\xc2\x9b" "2J",
    "+1 415\xff", "+1 415 555 2671\u0301", "+1 415 555 2671\u2062",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (pv_phone_number_parse (inputs[i], "US", &error));
      assert_message_is_safe (error);
    }
}

/* The country comes from --country as well as from the settings. */
static void
test_unknown_country_is_not_echoed_raw (void)
{
  const char *regions[] = { "D\x1b]0;owned\x07" "E", "\u202eED", "D\xff", "\u200bDE" };

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = pv_text_escape (regions[i], G_MAXSIZE);
      gboolean safe = TRUE;

      g_assert_null (pv_phone_number_parse ("030 1234567", regions[i], &error));
      g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY);

      safe = g_utf8_validate (error->message, -1, NULL);
      for (const char *p = error->message; safe && *p != '\0'; p = g_utf8_next_char (p))
        safe = !g_unichar_iscntrl (g_utf8_get_char (p)) &&
               g_unichar_type (g_utf8_get_char (p)) != G_UNICODE_FORMAT;

      if (!safe)
        {
          g_test_fail_printf ("the unknown country “%s” is repeated raw", shown);
          return;
        }
    }
}

/* A symbol that is not part of a number is named, made visible. */
static void
test_invalid_character_is_shown_safely (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (pv_phone_number_parse ("+1 415 555 2671\u0301", "US", &error));
  g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER);
  /* A lone combining mark is shown on a dotted circle, not on the quote before it. */
  g_assert_nonnull (strstr (error->message, "“\u25cc\u0301”"));
  g_clear_error (&error);

  g_assert_null (pv_phone_number_parse ("+1 415 555 2671#", "US", &error));
  g_assert_nonnull (strstr (error->message, "“#”"));
  g_clear_error (&error);

  g_assert_null (pv_phone_number_parse ("030 1234567", "XX", &error));
  g_assert_nonnull (strstr (error->message, "“XX”"));
}

/* -- display ----------------------------------------------------------------------------- */

typedef struct
{
  const char *e164;
  const char *office;
  const char *expected;
} DisplayCase;

static const DisplayCase display_cases[] = {
  /* The office's own numbers as they are dialled there, any other internationally. */
  { "+49301234567", "DE", "030 1234567" },
  { "+49301234567", "FR", "+49 30 1234567" },
  { "+49301234567", NULL, "+49 30 1234567" },
  { "+4915123456789", "DE", "01512 3456789" },
  { "+14155552671", "US", "(415) 555-2671" },
  { "+14155552671", "CA", "+1 415-555-2671" },
  { "+14165550123", "US", "+1 416-555-0123" },
  { "+442079460018", "GB", "020 7946 0018" },
  { "+442079460018", "US", "+44 20 7946 0018" },
  { "+33612345678", "FR", "06 12 34 56 78" },
  { "+390212345678", "IT", "02 1234 5678" },
  { "+79123456789", "RU", "8 (912) 345-67-89" },
  { "+36301234567", "HU", "06 30 123 4567" },
  { "+61412345678", "AU", "0412 345 678" },
  { "+819012345678", "JP", "090-1234-5678" },
  { "+870773111632", "US", "+870 773 111 632" },
  /* Where the national form would be read as another number (see the parse cases). */
  { "+2415552671", "GA", "+241 5 55 26 71" },
  { "+24105552671", "GA", "05 55 26 71" },
  /* Codes are compared as they are: a code in lower case is no country's. */
  { "+33612345678", "fr", "+33 6 12 34 56 78" },
  /* What cannot be read is shown as it was stored. */
  { "abc", "DE", "abc" },
  { "+999123", "DE", "+999123" },
  { "4930123456", "DE", "4930123456" },
  { "", NULL, "" },
};

static void
test_format_for_display (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (display_cases); i++)
    {
      const DisplayCase *c = &display_cases[i];
      g_autofree char *shown = pv_phone_number_format_for_display (c->e164, c->office);

      g_test_message ("case %u: %s in %s", i, c->e164, c->office != NULL ? c->office : "(null)");
      g_assert_cmpstr (shown, ==, c->expected);
    }
}

/* -- types ------------------------------------------------------------------------------- */

typedef struct
{
  PvPhoneNumberType  type;
  const char        *word;
  gboolean           may_not_get_texts;
} TypeCase;

static const TypeCase type_cases[] = {
  { PV_PHONE_NUMBER_TYPE_UNKNOWN, "unknown", FALSE },
  { PV_PHONE_NUMBER_TYPE_FIXED_LINE, "fixed-line", TRUE },
  { PV_PHONE_NUMBER_TYPE_MOBILE, "mobile", FALSE },
  { PV_PHONE_NUMBER_TYPE_FIXED_LINE_OR_MOBILE, "fixed-line-or-mobile", FALSE },
  { PV_PHONE_NUMBER_TYPE_TOLL_FREE, "toll-free", FALSE },
  { PV_PHONE_NUMBER_TYPE_PREMIUM_RATE, "premium-rate", FALSE },
  { PV_PHONE_NUMBER_TYPE_SHARED_COST, "shared-cost", FALSE },
  { PV_PHONE_NUMBER_TYPE_VOIP, "voip", TRUE },
  { PV_PHONE_NUMBER_TYPE_PERSONAL, "personal", FALSE },
  { PV_PHONE_NUMBER_TYPE_PAGER, "pager", TRUE },
  { PV_PHONE_NUMBER_TYPE_UAN, "uan", TRUE },
  { PV_PHONE_NUMBER_TYPE_VOICEMAIL, "voicemail", TRUE },
};

/* The words --check-number prints, for scripts: stable, distinct and never translated. */
static void
test_type_to_string (void)
{
  g_autoptr(GHashTable) descriptions = g_hash_table_new (g_str_hash, g_str_equal);

  G_STATIC_ASSERT (G_N_ELEMENTS (type_cases) == PV_PHONE_NUMBER_TYPE_VOICEMAIL + 1);

  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      const char *description = pv_phone_number_type_describe (type_cases[i].type);

      g_assert_cmpint (type_cases[i].type, ==, i);
      g_assert_cmpstr (pv_phone_number_type_to_string (type_cases[i].type), ==,
                       type_cases[i].word);

      /* What staff read, one for each type. */
      g_assert_nonnull (description);
      g_assert_cmpstr (description, !=, "");
      g_assert_false (g_hash_table_contains (descriptions, description));
      g_hash_table_add (descriptions, (gpointer) description);
    }

  g_assert_cmpstr (pv_phone_number_type_to_string (PV_PHONE_NUMBER_TYPE_VOICEMAIL + 1), ==,
                   "unknown");
  g_assert_cmpstr (pv_phone_number_type_to_string ((PvPhoneNumberType) -1), ==, "unknown");
  g_assert_cmpstr (pv_phone_number_type_describe ((PvPhoneNumberType) 99), ==,
                   pv_phone_number_type_describe (PV_PHONE_NUMBER_TYPE_UNKNOWN));
}

/* Landlines and the like get a warning, not a refusal; everything else texted gets none. */
static void
test_may_not_get_texts (void)
{
  static const struct
  {
    const char *region;
    const char *input;
    gboolean    expected;
  } parsed[] = {
    { "DE", "030 1234567", TRUE },             /* fixed line */
    { "DE", "0151 23456789", FALSE },          /* mobile */
    { "US", "(415) 555-2671", FALSE },         /* fixed line or mobile */
    { "DE", "0700 12345678", FALSE },          /* personal */
    { "GB", "056 1234 5678", TRUE },           /* VoIP */
    { "GB", "07640 123456", TRUE },            /* pager */
    { "GB", "0300 123 4567", TRUE },           /* UAN */
    { "NO", "810 12 345", TRUE },              /* UAN */
  };

  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      PvPhoneNumber number = { .e164 = (char *) "+49301234567", .region = (char *) "DE",
                               .country_code = 49, .type = type_cases[i].type };

      g_test_message ("type %s", type_cases[i].word);
      g_assert_cmpint (pv_phone_number_may_not_get_texts (&number), ==,
                       type_cases[i].may_not_get_texts);
    }

  for (guint i = 0; i < G_N_ELEMENTS (parsed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PvPhoneNumber) number = pv_phone_number_parse (parsed[i].input,
                                                               parsed[i].region, &error);

      g_test_message ("“%s” in %s", parsed[i].input, parsed[i].region);
      g_assert_no_error (error);
      g_assert_cmpint (pv_phone_number_may_not_get_texts (number), ==, parsed[i].expected);
    }
}

/* -- countries --------------------------------------------------------------------------- */

static void
test_region_for_country_code (void)
{
  static const struct
  {
    guint       country_code;
    const char *region;   /* the code's main country */
  } codes[] = {
    { 1, "US" }, { 7, "RU" }, { 33, "FR" }, { 39, "IT" }, { 44, "GB" }, { 49, "DE" },
    { 61, "AU" }, { 358, "FI" },
    /* Codes of no country: international services (libphonenumber's "001"), and the
     * unassigned. */
    { 800, NULL }, { 882, NULL }, { 870, NULL },
    { 999, NULL }, { 0, NULL }, { 1000, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autofree char *region = pv_phone_number_region_for_country_code (codes[i].country_code);

      g_test_message ("+%u", codes[i].country_code);
      g_assert_cmpstr (region, ==, codes[i].region);
    }
}

static void
test_regions (void)
{
  static const struct
  {
    const char *region;
    guint       country_code;   /* 0: not a region */
  } regions[] = {
    { "DE", 49 }, { "US", 1 }, { "CA", 1 }, { "GB", 44 }, { "GG", 44 }, { "IT", 39 },
    { "VA", 39 }, { "RU", 7 }, { "KZ", 7 },
    { "XX", 0 }, { "ZZ", 0 }, { "001", 0 }, { "de", 0 }, { "DEU", 0 }, { "", 0 }, { NULL, 0 },
  };
  g_auto(GStrv) all = pv_phone_number_dup_regions ();

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      g_test_message ("%s", regions[i].region != NULL ? regions[i].region : "(null)");
      g_assert_cmpint (pv_phone_number_is_region (regions[i].region), ==,
                       regions[i].country_code != 0);
      g_assert_cmpuint (pv_phone_number_country_code_for_region (regions[i].region), ==,
                        regions[i].country_code);
      if (regions[i].region != NULL)
        g_assert_cmpint (g_strv_contains ((const char * const *) all, regions[i].region), ==,
                         regions[i].country_code != 0);
    }

  /* Every country once, sorted, and each one a country. */
  g_assert_cmpuint (g_strv_length (all), >, 200);
  for (guint i = 0; all[i] != NULL; i++)
    {
      g_assert_true (pv_phone_number_is_region (all[i]));
      g_assert_cmpuint (strlen (all[i]), ==, 2);
      if (i > 0)
        g_assert_cmpint (strcmp (all[i - 1], all[i]), <, 0);
    }
}

/* -- as you type ------------------------------------------------------------------------- */

typedef struct
{
  const char *region;
  const char *input;
  const char *expected;
} FormatCase;

static const FormatCase format_cases[] = {
  { "DE", "030123456", "030 123456" },
  { "DE", "0301234567", "030 1234567" },
  { "DE", "03012345678", "030 12345678" },
  { "DE", "015123456789", "01512 3456789" },
  { "DE", "+4930123456", "+49 30 123456" },
  /* What the field shows is fed afresh each time: separators typed are put back in place. */
  { "DE", "030 12-34/56", "030 123456" },
  { "DE", "0", "0" },
  { "DE", "0301", "030 1" },
  { "US", "6502530000", "(650) 253-0000" },
  { "US", "16502530000", "1 (650) 253-0000" },
  { "US", "+16502530000", "+1 650-253-0000" },
  { "US", "(650) 253-0000", "(650) 253-0000" },
  { "US", "650-253-0000", "(650) 253-0000" },
  { "US", "6502", "650-2" },
  { "US", "650253", "650-253" },
  { "US", "01149301234567", "011 49 30 1234567" },
  /* Letters are not the formatter's business: they are left out, and refused later. */
  { "US", "650abc2530000", "(650) 253-0000" },
  /* Too many digits for any pattern: left as typed. */
  { "US", "65025300001234", "65025300001234" },
  { "US", "", "" },
  { "US", NULL, "" },
  { "GB", "02079460018", "020 7946 0018" },
  { "FR", "0612345678", "06 12 34 56 78" },
  /* No country: only international numbers are formatted. */
  { "XX", "0301234567", "0301234567" },
  { "XX", "+4930123456", "+49 30 123456" },
};

static void
test_formatter (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      const FormatCase *c = &format_cases[i];
      g_autoptr(PvPhoneNumberFormatter) formatter = pv_phone_number_formatter_new (c->region);
      g_autofree char *formatted = pv_phone_number_formatter_format (formatter, c->input);

      g_test_message ("case %u: “%s” in %s", i, c->input != NULL ? c->input : "(null)",
                      c->region);
      g_assert_cmpstr (formatted, ==, c->expected);
    }
}

/* One formatter serves a field for its lifetime: each call starts afresh, keystroke after
 * keystroke, and forgets the number before. */
static void
test_formatter_keystrokes (void)
{
  static const struct
  {
    const char  *region;
    const char  *typed;
    const char  *shown[16];
  } sequences[] = {
    { "DE", "0301234567", { "0", "03", "030", "030 1", "030 12", "030 123", "030 1234",
                            "030 12345", "030 123456", "030 1234567" } },
    { "DE", "015123456789", { "0", "01", "015", "0151", "01512", "01512 3", "01512 34",
                              "01512 345", "01512 3456", "01512 34567", "01512 345678",
                              "01512 3456789" } },
    /* Seven digits look like a local number until the eighth. */
    { "US", "4155552671", { "4", "41", "415", "415-5", "415-55", "415-555", "415-5552",
                            "(415) 555-26", "(415) 555-267", "(415) 555-2671" } },
    { "US", "14155552671", { "1", "14", "1 41", "1 (415", "1 (415) 5", "1 (415) 55",
                             "1 (415) 555", "1 (415) 555-2", "1 (415) 555-26",
                             "1 (415) 555-267", "1 (415) 555-2671" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sequences); i++)
    {
      g_autoptr(PvPhoneNumberFormatter) formatter =
        pv_phone_number_formatter_new (sequences[i].region);
      g_autofree char *other = NULL;

      for (guint n = 1; n <= strlen (sequences[i].typed); n++)
        {
          g_autofree char *typed = g_strndup (sequences[i].typed, n);
          g_autofree char *shown = pv_phone_number_formatter_format (formatter, typed);

          g_test_message ("“%s” in %s", typed, sequences[i].region);
          g_assert_cmpstr (shown, ==, sequences[i].shown[n - 1]);
        }

      other = pv_phone_number_formatter_format (formatter, "+14155552671");
      g_assert_cmpstr (other, ==, "+1 415-555-2671");
    }

  pv_phone_number_formatter_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Messages name countries in English, and a number's forms do not depend on it. */
  setlocale (LC_ALL, "C.UTF-8");
  g_unsetenv ("LANGUAGE");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone-number/parse", test_parse_table);
  for (guint i = 0; i < G_N_ELEMENTS (known_bugs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/phone-number/parse/regression/%u", i);

      g_test_add_data_func (path, &known_bugs[i], test_parse_known_bug);
    }
  g_test_add_func ("/phone-number/forms-read-back", test_forms_read_back);
  g_test_add_func ("/phone-number/copy", test_copy);
  g_test_add_func ("/phone-number/message/distinct", test_messages_are_distinct);
  g_test_add_func ("/phone-number/message/names-country", test_message_names_country);
  for (guint i = 0; i < G_N_ELEMENTS (message_known_bugs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/phone-number/message/regression/%u", i);

      g_test_add_data_func (path, &message_known_bugs[i], test_message_known_bug);
    }
  g_test_add_func ("/phone-number/message/no-raw-echo", test_messages_never_echo_raw_input);
  g_test_add_func ("/phone-number/message/unknown-country-no-raw-echo",
                   test_unknown_country_is_not_echoed_raw);
  g_test_add_func ("/phone-number/message/invalid-character-shown",
                   test_invalid_character_is_shown_safely);
  g_test_add_func ("/phone-number/display", test_format_for_display);
  g_test_add_func ("/phone-number/type/to-string", test_type_to_string);
  g_test_add_func ("/phone-number/type/may-not-get-texts", test_may_not_get_texts);
  g_test_add_func ("/phone-number/region-for-country-code", test_region_for_country_code);
  g_test_add_func ("/phone-number/regions", test_regions);
  g_test_add_func ("/phone-number/formatter", test_formatter);
  g_test_add_func ("/phone-number/formatter/keystrokes", test_formatter_keystrokes);

  return g_test_run ();
}
