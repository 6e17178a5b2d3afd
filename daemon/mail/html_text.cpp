#include "daemon/mail/html_text.h"

#include <glib.h>
#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "daemon/base/text.h"

// Two passes. gumbo alone is not linear: its tree builder scans the stack of
// open elements for nearly every tag, so 100,000 nested <div>s or a run of
// misnested <b><i></p> take seconds to minutes, whatever the byte count. So
// a first pass (Tidier) reads the tag soup in one forward scan and writes a
// small, balanced document: only the elements that shape the text, every
// one closed, nesting cut at kMaxNesting, every stray '<' escaped. gumbo
// then parses that, which keeps its stacks short; what it still does for us
// is decode every named and numeric entity the way a browser does and
// settle tables. The second pass (Renderer) walks gumbo's tree with an
// explicit stack.

namespace frontdesk {
namespace {

// Deeper than any real mail (a newsletter's nested layout tables reach 40
// or 60 levels of the elements kept here); each tag then costs gumbo and
// the tidier at most this many steps.
constexpr size_t kMaxNesting = 200;

// The elements that shape the text. Every other tag is unwrapped: its
// content stays, the tag goes, so inline markup (span, font, b) costs
// gumbo nothing.
constexpr std::string_view kKeptTags[] = {
    "a",     "address", "article", "aside", "blockquote", "br",         "caption", "center",
    "dd",    "details", "div",     "dl",    "dt",         "figcaption", "figure",  "footer",
    "h1",    "h2",      "h3",      "h4",    "h5",         "h6",         "header",  "hr",
    "li",    "main",    "nav",     "ol",    "p",          "pre",        "section", "summary",
    "table", "tbody",   "td",      "tfoot", "th",         "thead",      "tr",      "ul"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool IsHeading(std::string_view s) {
  return s.size() == 2 && s[0] == 'h' && s[1] >= '1' && s[1] <= '6';
}

// The kept tag called `name` (lower case), or "" when it is not kept.
std::string_view Kept(std::string_view name) {
  for (std::string_view t : kKeptTags)
    if (t == name) return t;
  return {};
}

// Reads HTML as a browser's tokenizer would (comments, raw text elements,
// quoted attribute values that hold '>') and writes the balanced subset
// described at the top of this file. Every position of the input is looked
// at a bounded number of times, and every tag costs at most kMaxNesting
// steps of stack work.
class Tidier {
 public:
  explicit Tidier(std::string_view in) : in_(in) {}

  std::string Run() {
    size_t i = 0;
    while (i < in_.size()) {
      size_t lt = in_.find('<', i);
      if (lt == std::string_view::npos) lt = in_.size();
      if (lt > i) Text(in_.substr(i, lt - i), false);
      if (lt < in_.size())
        i = Markup(lt);
      else
        i = lt;
    }
    while (!open_.empty()) Pop();
    return std::move(out_);
  }

 private:
  struct Open {
    std::string_view name;
    bool hidden;   // <template>: nothing inside is shown
    bool written;  // its start tag is in out_, so its end tag must be too
  };

  bool Writing() const { return hidden_ == 0 && !in_head_; }

  size_t SkipPast(char c, size_t from) const {
    size_t k = in_.find(c, from);
    return k == std::string_view::npos ? in_.size() : k + 1;
  }

  // After "<!--": "<!-->" and "<!--->" end at once; otherwise the first
  // "-->" or "--!>" ends it, or the end of input.
  size_t CommentEnd(size_t from) const {
    if (in_.substr(from, 1) == ">") return from + 1;
    if (in_.substr(from, 2) == "->") return from + 2;
    for (size_t k = in_.find("--", from); k != std::string_view::npos; k = in_.find("--", k + 1)) {
      if (in_.substr(k + 2, 1) == ">") return k + 3;
      if (in_.substr(k + 2, 2) == "!>") return k + 4;
    }
    return in_.size();
  }

  // Skips a tag's attributes from `p`; returns the position after its '>',
  // or npos when the input ends inside the tag (a browser drops such a
  // tag). Sets *value to the raw value of the first attribute `wanted`.
  size_t Attributes(size_t p, std::string_view wanted, std::string_view* value) const {
    const size_t n = in_.size();
    while (true) {
      while (p < n && (IsSpace(in_[p]) || in_[p] == '/')) ++p;
      if (p >= n) return std::string_view::npos;
      if (in_[p] == '>') return p + 1;
      size_t name_at = p++;
      while (p < n && !IsSpace(in_[p]) && in_[p] != '/' && in_[p] != '>' && in_[p] != '=') ++p;
      std::string_view name = in_.substr(name_at, p - name_at);
      while (p < n && IsSpace(in_[p])) ++p;
      if (p >= n || in_[p] != '=') continue;
      ++p;
      while (p < n && IsSpace(in_[p])) ++p;
      if (p >= n) return std::string_view::npos;
      size_t value_at = p, value_end;
      if (in_[p] == '"' || in_[p] == '\'') {
        value_end = in_.find(in_[p], p + 1);
        if (value_end == std::string_view::npos) return std::string_view::npos;
        ++value_at;
        p = value_end + 1;
      } else {
        while (p < n && !IsSpace(in_[p]) && in_[p] != '>') ++p;
        value_end = p;
      }
      if (!wanted.empty() && value->empty() && name.size() == wanted.size() &&
          AsciiLower(name) == wanted)
        *value = in_.substr(value_at, value_end - value_at);
    }
  }

  // Where the raw text of a <script>, <style>, <title>... that starts at
  // `from` ends: at its own end tag, whatever case, or the end of input.
  size_t RawTextEnd(size_t from, std::string_view name) const {
    for (size_t k = in_.find("</", from); k != std::string_view::npos; k = in_.find("</", k + 2)) {
      size_t after = k + 2 + name.size();
      if (after > in_.size() || AsciiLower(in_.substr(k + 2, name.size())) != name) continue;
      if (after == in_.size() || IsSpace(in_[after]) || in_[after] == '/' || in_[after] == '>')
        return k;
    }
    return in_.size();
  }

  // Handles the markup at `lt` (a '<'); returns where the text resumes.
  size_t Markup(size_t lt) {
    const size_t n = in_.size();
    if (in_.substr(lt, 4) == "<!--") return CommentEnd(lt + 4);
    if (lt + 1 < n && (in_[lt + 1] == '!' || in_[lt + 1] == '?')) return SkipPast('>', lt + 2);
    bool end = lt + 1 < n && in_[lt + 1] == '/';
    size_t name_at = lt + (end ? 2 : 1);
    if (name_at >= n || !IsAlpha(in_[name_at])) {
      if (!end) {
        Text("<", false);
        return lt + 1;
      }
      if (name_at >= n) {
        Text("</", false);
        return n;
      }
      // "</>" is nothing; "</" and anything else is a bogus comment.
      return in_[name_at] == '>' ? name_at + 1 : SkipPast('>', name_at);
    }
    size_t p = name_at;
    while (p < n && !IsSpace(in_[p]) && in_[p] != '/' && in_[p] != '>') ++p;
    // No tag that matters is longer than 10 letters.
    std::string name = p - name_at <= 12 ? AsciiLower(in_.substr(name_at, p - name_at)) : "";
    // The one attribute the text needs: a link's target, a list's first number.
    std::string_view wanted = end ? "" : name == "a" ? "href" : name == "ol" ? "start" : "";
    std::string_view attribute;
    size_t after = Attributes(p, wanted, &attribute);
    if (after == std::string_view::npos) return n;
    if (end) {
      End(name);
      return after;
    }
    Start(name, attribute);
    if (OneOf(name, {"script", "style", "title", "iframe", "noembed", "noframes"}))
      return RawTextEnd(after, name);
    if (name == "textarea" || name == "xmp" || name == "plaintext") {
      // Shown as written: <xmp> and <plaintext> without entities.
      size_t stop = name == "plaintext" ? n : RawTextEnd(after, name);
      Start("pre", {});
      Text(in_.substr(after, stop - after), name != "textarea");
      End("pre");
      return stop;
    }
    return after;
  }

  void Text(std::string_view s, bool raw) {
    bool blank = std::all_of(s.begin(), s.end(), IsSpace);
    if (in_head_ && !blank) in_head_ = false;
    if (!Writing()) return;
    if (!blank) body_started_ = true;
    for (char c : s) {
      if (c == '<')
        out_ += "&lt;";
      else if (c == '&' && raw)
        out_ += "&amp;";
      else
        out_ += c;
    }
  }

  // `attribute`: the raw value of <a href> or <ol start>, else "".
  void Start(std::string_view name, std::string_view attribute) {
    if (name == "head") {
      if (!body_started_ && open_.empty()) in_head_ = true;
      return;
    }
    if (in_head_ && !OneOf(name, {"title", "style", "script", "meta", "link", "base", "noscript",
                                  "template", "basefont", "bgsound"}))
      in_head_ = false;
    bool hidden = name == "template";
    std::string_view kept = hidden ? std::string_view("template") : Kept(name);
    if (kept.empty()) return;
    CloseImplied(kept);
    if (kept == "br" || kept == "hr") {
      if (Writing()) out_ += kept == "br" ? "<br>" : "<hr>";
      return;
    }
    // Past the cap the tag is unwrapped like an unknown one: its text
    // still shows, only the structure is flattened.
    if (open_.size() >= kMaxNesting) return;
    bool write = Writing() && !hidden;
    open_.push_back({kept, hidden, write});
    if (hidden) ++hidden_;
    if (!write) return;
    body_started_ = true;
    out_ += '<';
    out_ += kept;
    if (!attribute.empty()) {
      out_ += kept == "a" ? " href=\"" : " start=\"";
      for (char c : attribute)
        out_ += c == '"' ? std::string_view("&quot;") : std::string_view(&c, 1);
      out_ += '"';
    }
    out_ += '>';
  }

  void End(std::string_view name) {
    if (name == "head") {
      in_head_ = false;
      return;
    }
    if (name == "br") return Start("br", {});  // browsers read </br> as <br>
    std::string_view kept = name == "template" ? std::string_view("template") : Kept(name);
    if (kept.empty()) return;
    if (kept == "p") {
      // A </p> without a <p> is an empty paragraph to a browser.
      if (!PopTo([](std::string_view s) { return s == "p"; }, IsButtonScopeEnd) && Writing())
        out_ += "<p></p>";
      return;
    }
    auto same = [kept](std::string_view s) { return s == kept; };
    if (kept == "table" || kept == "template") {
      PopTo(same, [](std::string_view) { return false; });
    } else if (OneOf(kept, {"td", "th", "tr", "tbody", "thead", "tfoot", "caption"})) {
      PopTo(same, [](std::string_view s) { return s == "table"; });
    } else {
      PopTo(same, IsButtonScopeEnd);
    }
  }

  // The end tags a browser implies when `name` starts (HTML's "close a p
  // element", list items, table rows and cells), so that sloppy but common
  // markup (<li> and <td> left open) does not pile up towards the cap.
  void CloseImplied(std::string_view name) {
    auto list_scope_end = [](std::string_view s) {
      return !OneOf(s, {"address", "div", "p", "a"});
    };
    if (name == "li") {
      PopTo([](std::string_view s) { return s == "li"; }, list_scope_end);
    } else if (name == "dt" || name == "dd") {
      PopTo([](std::string_view s) { return s == "dt" || s == "dd"; }, list_scope_end);
    } else if (name == "tr") {
      PopTo([](std::string_view s) { return s == "tr"; },
            [](std::string_view s) {
              return OneOf(s, {"table", "tbody", "thead", "tfoot"});
            });
    } else if (name == "td" || name == "th") {
      PopTo([](std::string_view s) { return s == "td" || s == "th"; },
            [](std::string_view s) {
              return OneOf(s, {"tr", "table", "tbody", "thead", "tfoot"});
            });
    } else if (OneOf(name, {"tbody", "thead", "tfoot"})) {
      PopTo(
          [](std::string_view s) {
            return OneOf(s, {"tbody", "thead", "tfoot"});
          },
          [](std::string_view s) { return s == "table"; });
    } else if (name == "a") {
      PopTo([](std::string_view s) { return s == "a"; }, IsButtonScopeEnd);
    }
    if (name != "a" && name != "br" && name != "td" && name != "th" && name != "tr" &&
        name != "caption" && name != "template" && !OneOf(name, {"tbody", "thead", "tfoot"})) {
      PopTo([](std::string_view s) { return s == "p"; }, IsButtonScopeEnd);
    }
    if (IsHeading(name) && !open_.empty() && IsHeading(open_.back().name)) Pop();
  }

  static bool IsButtonScopeEnd(std::string_view s) {
    return OneOf(s, {"table", "td", "th", "caption", "template"});
  }

  // Closes the innermost open element that `is_target` accepts, with all
  // inside it, unless `is_scope_end` accepts an element before it.
  template <class Target, class ScopeEnd>
  bool PopTo(Target is_target, ScopeEnd is_scope_end) {
    for (size_t k = open_.size(); k-- > 0;) {
      if (is_target(open_[k].name)) {
        while (open_.size() > k) Pop();
        return true;
      }
      if (is_scope_end(open_[k].name)) return false;
    }
    return false;
  }

  void Pop() {
    Open o = open_.back();
    open_.pop_back();
    if (o.hidden) --hidden_;
    if (!o.written) return;
    out_ += "</";
    out_ += o.name;
    out_ += '>';
  }

  std::string_view in_;
  std::string out_;
  std::vector<Open> open_;
  int hidden_ = 0;
  bool in_head_ = false;
  bool body_started_ = false;
};

struct GumboOutputDeleter {
  void operator()(GumboOutput* o) const { gumbo_destroy_output(&kGumboDefaultOptions, o); }
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

// "example.com/x" for "https://example.com/x/", to tell whether a link's
// text already is its URL.
std::string BareUrl(std::string_view url) {
  std::string s = AsciiLower(Trim(url));
  for (std::string_view scheme : {"mailto:", "https://", "http://"})
    if (s.rfind(scheme, 0) == 0) s.erase(0, scheme.size());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Walks gumbo's tree with an explicit stack and writes the text. Layout
// requests (a line break, a space, a cell separator) wait until the next
// visible character, so that empty elements leave no trace.
class Renderer {
 public:
  std::string Render(const GumboNode* root) {
    struct Frame {
      const GumboNode* node;
      unsigned next;
      size_t mark;  // where the element's text starts in out_
    };
    std::vector<Frame> stack;
    if (Enter(root)) stack.push_back({root, 0, out_.size()});
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& kids = f.node->v.element.children;
      if (f.next < kids.length) {
        const GumboNode* kid = static_cast<const GumboNode*>(kids.data[f.next++]);
        if (kid->type == GUMBO_NODE_ELEMENT) {
          size_t mark = out_.size();
          if (Enter(kid)) stack.push_back({kid, 0, mark});
        } else if (kid->type == GUMBO_NODE_TEXT || kid->type == GUMBO_NODE_WHITESPACE ||
                   kid->type == GUMBO_NODE_CDATA) {
          Text(kid->v.text.text);
        }
        continue;
      }
      Frame done = f;
      stack.pop_back();
      Leave(done.node, done.mark);
    }
    return Finish();
  }

 private:
  struct List {
    bool ordered;
    int64_t next;
  };

  static GumboTag TagOf(const GumboNode* n) { return n->v.element.tag; }

  static std::string_view Attribute(const GumboNode* n, const char* name) {
    const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? std::string_view(a->value) : std::string_view();
  }

  // A line break before and after: every element the tidier keeps but
  // links, line breaks, cells and row groups. Not a blank line around
  // paragraphs: Outlook writes every line as a <p> (its style sheet takes
  // the margins away) and a blank line as <p>&nbsp;</p>, which stays a
  // line here.
  static bool IsBlock(GumboTag t) {
    std::string_view name = gumbo_normalized_tagname(t);
    return !Kept(name).empty() && !OneOf(name, {"a", "br", "td", "th", "tbody", "thead", "tfoot"});
  }

  // Returns whether to descend into the element.
  bool Enter(const GumboNode* n) {
    GumboTag t = TagOf(n);
    if (IsBlock(t)) pending_break_ = true;
    switch (t) {
      case GUMBO_TAG_HEAD:
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_TITLE:
      case GUMBO_TAG_TEMPLATE:
        return false;
      case GUMBO_TAG_BR:
        LineBreak();
        return false;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL: {
        std::optional<int64_t> start = ParseDigits(Attribute(n, "start"), 9);
        lists_.push_back({t == GUMBO_TAG_OL, start.value_or(1)});
        return true;
      }
      case GUMBO_TAG_LI: {
        std::string marker(lists_.empty() ? 0 : 2 * (lists_.size() - 1), ' ');
        if (!lists_.empty() && lists_.back().ordered)
          marker += std::to_string(lists_.back().next++) + ". ";
        else
          marker += "- ";
        Flush();
        out_ += marker;
        return true;
      }
      case GUMBO_TAG_TR:
        rows_.push_back(false);
        return true;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH:
        if (!rows_.empty() && rows_.back()) cell_separator_ = true;
        return true;
      case GUMBO_TAG_PRE:
      case GUMBO_TAG_LISTING:
        ++pre_;
        return true;
      default:
        return true;
    }
  }

  void Leave(const GumboNode* n, size_t mark) {
    GumboTag t = TagOf(n);
    if (IsBlock(t)) pending_break_ = true;
    if (t == GUMBO_TAG_UL || t == GUMBO_TAG_OL) {
      lists_.pop_back();
    } else if (t == GUMBO_TAG_TR) {
      rows_.pop_back();
      cell_separator_ = false;
    } else if (t == GUMBO_TAG_PRE || t == GUMBO_TAG_LISTING) {
      --pre_;
    } else if (t == GUMBO_TAG_A) {
      AppendUrl(Attribute(n, "href"), std::string_view(out_).substr(mark));
    }
  }

  void AppendUrl(std::string_view href, std::string_view text) {
    std::string url;
    for (char c : Trim(href))
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
        url += c;  // browsers drop tabs and newlines
    std::string scheme = AsciiLower(url.substr(0, url.find(':') + 1));
    if (scheme != "http:" && scheme != "https:" && scheme != "mailto:") return;
    text = Trim(text);
    // A text much longer than the URL cannot be it, and is not copied to check.
    if (text.empty() || (text.size() <= url.size() + 8 && BareUrl(text) == BareUrl(url))) return;
    out_ += " (" + url + ")";
  }

  // <br>: a line of its own, so that two make a blank line.
  void LineBreak() {
    if (out_.empty()) return;
    Flush();
    out_ += '\n';
    pending_space_ = cell_separator_ = false;
  }

  bool AtLineStart() const { return out_.empty() || out_.back() == '\n'; }

  // Writes what layout waits before the next visible character.
  void Flush() {
    if (pending_break_) {
      if (!AtLineStart()) out_ += '\n';
      pending_break_ = pending_space_ = cell_separator_ = false;
    } else if (cell_separator_) {
      if (!AtLineStart()) out_ += " | ";
      pending_space_ = cell_separator_ = false;
    } else if (pending_space_) {
      if (!AtLineStart() && out_.back() != ' ') out_ += ' ';
      pending_space_ = false;
    }
    if (!rows_.empty()) rows_.back() = true;
  }

  void Text(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      std::string_view rest = s.substr(i);
      // A no-break space is a space that does not collapse (so a line of
      // them is a blank line); invisible characters that newsletters use
      // as padding (zero-width spaces and joiners, soft hyphens, the
      // grapheme joiner) are dropped.
      if (rest.starts_with("\xC2\xA0")) {
        Flush();
        out_ += ' ';
        ++i;
        continue;
      } else if (rest.starts_with("\xC2\xAD") || rest.starts_with("\xCD\x8F")) {
        ++i;
        continue;
      } else if (rest.starts_with("\xE2\x80\x8B") || rest.starts_with("\xE2\x80\x8C") ||
                 rest.starts_with("\xEF\xBB\xBF")) {
        i += 2;
        continue;
      }
      if (pre_ > 0) {
        if (c == '\r') {
          if (i + 1 < s.size() && s[i + 1] == '\n') continue;
          c = '\n';
        }
        Flush();
        out_ += c;
      } else if (IsSpace(c)) {
        pending_space_ = true;
      } else {
        Flush();
        out_ += c;
      }
    }
  }

  // Trailing spaces go, runs of blank lines become one, and the text is
  // trimmed at both ends.
  std::string Finish() {
    std::string result;
    bool blank = false;
    size_t at = 0;
    while (at < out_.size()) {
      size_t nl = std::min(out_.find('\n', at), out_.size());
      std::string_view line = std::string_view(out_).substr(at, nl - at);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      if (result.empty()) line = Trim(line);
      if (line.empty()) {
        blank = !result.empty();
      } else {
        if (!result.empty()) result += blank ? "\n\n" : "\n";
        result.append(line);
        blank = false;
      }
      at = nl + 1;
    }
    return result;
  }

  std::string out_;
  bool pending_break_ = false;
  bool pending_space_ = false;
  bool cell_separator_ = false;
  std::vector<bool> rows_;  // per open table row: whether a cell has shown text
  std::vector<List> lists_;
  int pre_ = 0;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  bool cut = html.size() > kMaxRenderedHtmlBytes;
  if (cut) {
    // Cut at a character boundary, not inside a UTF-8 sequence.
    size_t end = kMaxRenderedHtmlBytes;
    while (end > 0 && (static_cast<unsigned char>(html[end]) & 0xc0) == 0x80) --end;
    html = html.substr(0, end);
  }
  std::string tidy = Tidier(html).Run();
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // gumbo would otherwise keep a record of every parse error
  GumboOutputPtr doc(gumbo_parse_with_options(&options, tidy.data(), tidy.size()));
  std::string text = doc ? Renderer().Render(doc->root) : std::string();
  if (cut) {
    if (!text.empty()) text += "\n\n";
    text += "[The HTML of this part is longer than " + std::to_string(kMaxRenderedHtmlBytes >> 20) +
            " MiB; only its beginning is shown.]";
  }
  if (IsValidUtf8(text)) return text;
  // gumbo replaces invalid input with U+FFFD; this is only a safety net.
  std::unique_ptr<char, decltype(&g_free)> valid(g_utf8_make_valid(text.data(), text.size()),
                                                 &g_free);
  return valid.get();
}

}  // namespace frontdesk
