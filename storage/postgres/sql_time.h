// Timestamps cross the SQL boundary as integer microseconds since the epoch:
// TS turns such a parameter into timestamptz, US a column back into one.
#pragma once

#define TS(x) "(timestamptz 'epoch' + (" x ") * interval '1 microsecond')"
#define US(col) "(extract(epoch from " col ") * 1000000)::int8"
