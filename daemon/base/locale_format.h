// locale_format.h: dates and times in the customer's language, by ICU.
// (Being written; see the issue on customers' languages.)
#pragma once
