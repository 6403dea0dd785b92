// bench_simdjson.cpp - simdjson On-Demand peer of the extraction benchmark.
//
// Message by message: parser.iterate() on a padded_string_view into the
// corpus buffer (the loader leaves BENCH_PAD readable bytes after the last
// message), then the same extraction as certstream.h: the root object's
// fields are iterated in order, so "data" may come before "message_type"
// (Go / Elixir servers) or after it (Rust / Python). Last occurrence wins
// for duplicate keys, as in certstream.h. Fields are held per message and
// committed only when the whole message iterated without error.
//
// Note: On-Demand validates what it visits (plus stage 1's structural and
// UTF-8 checks); skipped values are not fully validated, unlike certstream.h.
#include <simdjson.h>
#include <string_view>

#include "bench_common.h"

using namespace simdjson;

static const char *
bench_name(void)
{
    static char name[128];
    if (name[0] == 0)
        snprintf(name, sizeof name,
                 "simdjson %s On-Demand (builtin %s, stage 1 %s)",
                 SIMDJSON_STRINGIFY(SIMDJSON_VERSION),
                 SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
                 get_active_implementation()->name().c_str());
    return name;
}

namespace {

struct one {
    std::string_view type, url, name;
    bool has_type, has_url, has_name, has_cidx, has_seen, has_ts;
    uint64_t cidx;
    double seen, ts;
    uint64_t doms, dom_bytes, dom_hash;
};

// A list of domain strings: every element must be a string here (the
// corpus has no others; a non-string fails the message, loudly).
simdjson_inline error_code
domains(ondemand::array arr, one &o, uint64_t h0, bool full)
{
    o.doms = 0;
    o.dom_bytes = 0;
    o.dom_hash = h0;
    for (auto el : arr) {
        std::string_view s;
        SIMDJSON_TRY(el.get_string().get(s));
        o.doms++;
        o.dom_bytes += s.size();
        if (full)
            bench_hash(&o.dom_hash, s.data(), s.size());
    }
    return SUCCESS;
}

simdjson_inline error_code
data_object(ondemand::object obj, one &o, uint64_t h0, bool full)
{
    for (auto fr : obj) {
        auto &f = fr;
        ondemand::raw_json_string k;
        SIMDJSON_TRY(f.key().get(k));
        if (k == "cert_index") {
            SIMDJSON_TRY(f.value().get_uint64().get(o.cidx));
            o.has_cidx = true;
        } else if (k == "seen") {
            SIMDJSON_TRY(f.value().get_double().get(o.seen));
            o.has_seen = true;
        } else if (k == "source") {
            ondemand::object src;
            SIMDJSON_TRY(f.value().get_object().get(src));
            o.has_url = o.has_name = false;
            for (auto sr : src) {
                auto &sf = sr;
                ondemand::raw_json_string sk;
                SIMDJSON_TRY(sf.key().get(sk));
                if (sk == "url") {
                    SIMDJSON_TRY(sf.value().get_string().get(o.url));
                    o.has_url = true;
                } else if (sk == "name") {
                    SIMDJSON_TRY(sf.value().get_string().get(o.name));
                    o.has_name = true;
                }
            }
        } else if (k == "leaf_cert") {
            ondemand::object leaf;
            SIMDJSON_TRY(f.value().get_object().get(leaf));
            o.doms = o.dom_bytes = 0;
            o.dom_hash = h0;
            for (auto lr : leaf) {
                auto &lf = lr;
                ondemand::raw_json_string lk;
                SIMDJSON_TRY(lf.key().get(lk));
                if (lk == "all_domains") {
                    ondemand::array arr;
                    SIMDJSON_TRY(lf.value().get_array().get(arr));
                    SIMDJSON_TRY(domains(arr, o, h0, full));
                }
            }
        }
    }
    return SUCCESS;
}

simdjson_inline error_code
message(ondemand::parser &parser, const bench_msg &m, one &o, uint64_t h0,
        bool full)
{
    ondemand::document doc;
    ondemand::object root;
    SIMDJSON_TRY(parser.iterate(padded_string_view(m.p, m.n, m.cap))
                     .get(doc));
    SIMDJSON_TRY(doc.get_object().get(root));
    for (auto fr : root) {
        auto &f = fr;
        ondemand::raw_json_string k;
        SIMDJSON_TRY(f.key().get(k));
        if (k == "message_type") {
            SIMDJSON_TRY(f.value().get_string().get(o.type));
            o.has_type = true;
        } else if (k == "data") {
            // a later "data" replaces everything the earlier one gave
            ondemand::value v = f.value();
            ondemand::json_type t;
            o.has_cidx = o.has_seen = o.has_url = o.has_name = false;
            o.doms = o.dom_bytes = 0;
            o.dom_hash = h0;
            SIMDJSON_TRY(v.type().get(t));
            if (t == ondemand::json_type::array) {
                ondemand::array arr;
                SIMDJSON_TRY(v.get_array().get(arr));
                SIMDJSON_TRY(domains(arr, o, h0, full));
            } else if (t == ondemand::json_type::object) {
                ondemand::object obj;
                SIMDJSON_TRY(v.get_object().get(obj));
                SIMDJSON_TRY(data_object(obj, o, h0, full));
            }
        } else if (k == "timestamp") {
            SIMDJSON_TRY(f.value().get_double().get(o.ts));
            o.has_ts = true;
        }
    }
    return SUCCESS;
}

} // namespace

static void
bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full)
{
    static ondemand::parser parser;
    size_t k;

    for (k = 0; k < nm; k++) {
        one o = one();
        a->msgs++;
        if (message(parser, m[k], o, a->dom_hash, full != 0) != SUCCESS)
            continue;
        a->ok++;
        a->types[o.has_type ? bench_type(o.type.data(), o.type.size())
                            : BT_NONE]++;
        a->doms += o.doms;
        a->dom_bytes += o.dom_bytes;
        if (o.doms != 0)
            a->dom_hash = o.dom_hash;
        if (o.has_cidx)
            a->cidx_sum += o.cidx;
        if (o.has_seen)
            a->seen_xor ^= bench_bits(o.seen);
        if (o.has_ts)
            a->ts_xor ^= bench_bits(o.ts);
        if (o.has_url) {
            a->url_bytes += o.url.size();
            if (full)
                bench_hash(&a->url_hash, o.url.data(), o.url.size());
        }
        if (o.has_name) {
            a->name_bytes += o.name.size();
            if (full)
                bench_hash(&a->name_hash, o.name.data(), o.name.size());
        }
        if (full && o.has_type)
            bench_hash(&a->type_hash, o.type.data(), o.type.size());
    }
}

int
main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
