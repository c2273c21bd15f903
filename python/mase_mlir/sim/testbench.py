# ruff: noqa: E501  (the C++ testbench template has long lines)
"""Generated Verilator C++ testbench for a dataflow design.

Every port of the design is a ready/valid channel (``name``, ``name_valid``,
``name_ready``):

* a stream input is fed from a hex file (one word per line), one beat per cycle at
  most, optionally with pseudo-random gaps (``--stall-in``);
* a stream output is collected into a hex file; its ready may be withdrawn
  pseudo-randomly (``--stall-out``), to exercise the design's flow control;
* an external memory answers each address beat on ``<name>_addr`` with the word on
  ``<name>_data`` exactly one cycle later (an SRAM read port; address always ready).

The run ends when every output has all its beats. ``stats.json`` holds the cycle
count (from the end of reset to the last output beat) and, per port, the number of
transfers and the cycles of the first and last. A run that makes no progress for
``--idle`` cycles is a deadlock: the testbench says which ports are waiting and exits 3.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MemPort", "Stream", "generate"]


@dataclass(frozen=True)
class Stream:
    port: str
    width: int
    beats: int


@dataclass(frozen=True)
class MemPort:
    name: str  # <name>_addr / <name>_data
    addr_bits: int
    data_bits: int
    words: int


def _limbs(bits: int) -> int:
    return max(1, (bits + 31) // 32)


def _set(port: str, bits: int, src: str) -> str:
    """C++ assigning the Word ``src`` to ``top->port``."""
    if bits > 64:
        return "".join(f"top->{port}[{i}] = {src}[{i}]; " for i in range(_limbs(bits)))
    if bits > 32:
        return f"top->{port} = (uint64_t){src}[0] | ((uint64_t){src}[1] << 32); "
    return f"top->{port} = {src}[0]; "


def _get(port: str, bits: int, dst: str) -> str:
    """C++ reading ``top->port`` into the Word ``dst``."""
    if bits > 64:
        return "".join(f"{dst}[{i}] = top->{port}[{i}]; " for i in range(_limbs(bits)))
    if bits > 32:
        return (f"{dst}[0] = (uint32_t)(top->{port} & 0xffffffffu); "
                f"{dst}[1] = (uint32_t)(top->{port} >> 32); ")
    return f"{dst}[0] = (uint32_t)top->{port}; "


def generate(top: str, inputs: list[Stream], outputs: list[Stream], mems: list[MemPort]) -> str:
    """The testbench source for ``top``: ``./V<top> DIR [--max-cycles N] [--idle N]
    [--stall-in P] [--stall-out P] [--seed S]`` reads ``DIR/in_<port>.hex``,
    ``DIR/mem_<name>.hex`` and writes ``DIR/out_<port>.hex`` and ``DIR/stats.json``."""
    decl, load, drive, sample, update, dump, stats, waiting = [], [], [], [], [], [], [], []
    for k, s in enumerate(inputs):
        decl.append(f"static Words in{k}; static size_t in{k}_i = 0; static PortStats in{k}_st;")
        load.append(f'  if (!read_words(dir + "/in_{s.port}.hex", {_limbs(s.width)}, {s.beats}, in{k})) return 2;')
        drive.append(f"  bool in{k}_v = in{k}_i < in{k}.size() && !stall(stall_in);\n"
                     f"  top->{s.port}_valid = in{k}_v;\n"
                     f"  if (in{k}_v) {{ {_set(s.port, s.width, f'in{k}[in{k}_i]')}}}")
        sample.append(f"  bool in{k}_fire = top->{s.port}_valid && top->{s.port}_ready;")
        update.append(f"  if (in{k}_fire) {{ ++in{k}_i; in{k}_st.hit(cyc); progress = cyc; }}")
        stats.append(f'  print_stats(f, "{s.port}", in{k}_st, first);')
        waiting.append(f'  if (in{k}_i < in{k}.size()) fprintf(stderr, "  input {s.port}: %zu of %zu beats taken\\n", in{k}_i, in{k}.size());')
    for k, s in enumerate(outputs):
        decl.append(f"static Words out{k}; static PortStats out{k}_st;")
        drive.append(f"  top->{s.port}_ready = !stall(stall_out);")
        sample.append(f"  bool out{k}_fire = top->{s.port}_valid && top->{s.port}_ready;\n"
                      f"  Word out{k}_w({_limbs(s.width)}); if (out{k}_fire) {{ {_get(s.port, s.width, f'out{k}_w')}}}")
        update.append(f"  if (out{k}_fire) {{ if (out{k}.size() >= {s.beats}) {{ fprintf(stderr, \"error: output {s.port} produced more than {s.beats} beats\\n\"); return 4; }}\n"
                      f"    out{k}.push_back(out{k}_w); out{k}_st.hit(cyc); progress = cyc; last_out = cyc; }}")
        dump.append(f'  write_words(dir + "/out_{s.port}.hex", out{k});')
        stats.append(f'  print_stats(f, "{s.port}", out{k}_st, first);')
        waiting.append(f'  if (out{k}.size() < {s.beats}) fprintf(stderr, "  output {s.port}: %zu of {s.beats} beats produced\\n", out{k}.size());')
    done = " && ".join(f"out{k}.size() == {s.beats}" for k, s in enumerate(outputs)) or "true"
    for k, mp in enumerate(mems):
        decl.append(f"static Words mem{k}; static bool mem{k}_pending = false; static uint64_t mem{k}_a = 0; static PortStats mem{k}_st;")
        load.append(f'  if (!read_words(dir + "/mem_{mp.name}.hex", {_limbs(mp.data_bits)}, {mp.words}, mem{k})) return 2;')
        drive.append(f"  top->{mp.name}_addr_ready = 1;\n"
                     f"  top->{mp.name}_data_valid = mem{k}_pending;\n"
                     f"  if (mem{k}_pending) {{ {_set(f'{mp.name}_data', mp.data_bits, f'mem{k}[mem{k}_a]')}}}")
        sample.append(f"  bool mem{k}_req = top->{mp.name}_addr_valid && top->{mp.name}_addr_ready;\n"
                      f"  uint64_t mem{k}_next = (uint64_t)top->{mp.name}_addr;")
        update.append(f"  mem{k}_pending = mem{k}_req;\n"
                      f"  if (mem{k}_req) {{ if (mem{k}_next >= {mp.words}) {{ fprintf(stderr, \"error: memory {mp.name} read at address %llu beyond its {mp.words} words (cycle %llu)\\n\", (unsigned long long)mem{k}_next, (unsigned long long)cyc); return 4; }}\n"
                      f"    mem{k}_a = mem{k}_next; mem{k}_st.hit(cyc); progress = cyc; }}")
        stats.append(f'  print_stats(f, "{mp.name}", mem{k}_st, first);')
    nl = "\n"
    return f"""// Generated by mase_mlir.sim: testbench for {top}. Do not edit.
#include "V{top}.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

typedef std::vector<uint32_t> Word;  // 32-bit limbs, least significant first
typedef std::vector<Word> Words;

static bool read_words(const std::string &path, size_t limbs, size_t count, Words &out) {{
  std::ifstream in(path);
  if (!in) {{ fprintf(stderr, "error: cannot read %s\\n", path.c_str()); return false; }}
  std::string line;
  while (std::getline(in, line)) {{
    if (line.empty()) continue;
    Word w(limbs, 0);
    for (size_t l = 0; l < limbs; ++l) {{
      size_t end = line.size() > 8 * l ? line.size() - 8 * l : 0;
      size_t beg = end > 8 ? end - 8 : 0;
      w[l] = end > beg ? (uint32_t)strtoul(line.substr(beg, end - beg).c_str(), nullptr, 16) : 0;
    }}
    out.push_back(w);
  }}
  if (out.size() != count) {{
    fprintf(stderr, "error: %s holds %zu words, expected %zu\\n", path.c_str(), out.size(), count);
    return false;
  }}
  return true;
}}

static void write_words(const std::string &path, const Words &words) {{
  FILE *f = fopen(path.c_str(), "w");
  for (const Word &w : words) {{
    for (size_t l = w.size(); l-- > 0;) fprintf(f, "%08x", w[l]);
    fprintf(f, "\\n");
  }}
  fclose(f);
}}

struct PortStats {{
  uint64_t count = 0, first = 0, last = 0;
  void hit(uint64_t c) {{ if (!count) first = c; last = c; ++count; }}
}};

static void print_stats(FILE *f, const char *name, const PortStats &s, bool &first) {{
  fprintf(f, "%s\\n  \\"%s\\": {{\\"count\\": %llu, \\"first\\": %llu, \\"last\\": %llu}}",
          first ? "" : ",", name, (unsigned long long)s.count, (unsigned long long)s.first,
          (unsigned long long)s.last);
  first = false;
}}

static uint64_t lfsr = 0x9e3779b97f4a7c15ull;
static bool stall(unsigned percent) {{
  if (!percent) return false;
  lfsr ^= lfsr << 13; lfsr ^= lfsr >> 7; lfsr ^= lfsr << 17;
  return (lfsr % 100) < percent;
}}

{nl.join(decl)}

int main(int argc, char **argv) {{
  if (argc < 2) {{ fprintf(stderr, "usage: %s DIR [--max-cycles N] [--idle N] [--stall-in P] [--stall-out P] [--seed S]\\n", argv[0]); return 2; }}
  std::string dir = argv[1];
  uint64_t max_cycles = 100000000ull, idle = 100000ull;
  unsigned stall_in = 0, stall_out = 0;
  for (int i = 2; i + 1 < argc; i += 2) {{
    std::string k = argv[i];
    uint64_t v = strtoull(argv[i + 1], nullptr, 10);
    if (k == "--max-cycles") max_cycles = v;
    else if (k == "--idle") idle = v;
    else if (k == "--stall-in") stall_in = (unsigned)v;
    else if (k == "--stall-out") stall_out = (unsigned)v;
    else if (k == "--seed") lfsr ^= v * 0x2545f4914f6cdd1dull;
    else {{ fprintf(stderr, "error: unknown option %s\\n", k.c_str()); return 2; }}
  }}
  Verilated::commandArgs(1, argv);
{nl.join(load)}
  V{top} *top = new V{top};
  top->clock = 0;
  top->reset = 1;
  for (int i = 0; i < 4; ++i) {{ top->clock = 0; top->eval(); top->clock = 1; top->eval(); }}
  top->reset = 0;
  uint64_t cyc = 0, progress = 0, last_out = 0;
  bool finished = {done};
  for (cyc = 0; cyc < max_cycles && !finished; ++cyc) {{
{nl.join(drive)}
    top->clock = 0;
    top->eval();
{nl.join(sample)}
    top->clock = 1;
    top->eval();
{nl.join(update)}
    finished = {done};
    if (cyc - progress > idle) {{
      fprintf(stderr, "error: no transfer on any port for %llu cycles at cycle %llu (deadlock); waiting:\\n",
              (unsigned long long)idle, (unsigned long long)cyc);
{nl.join(waiting)}
      return 3;
    }}
  }}
  if (!finished) {{
    fprintf(stderr, "error: the design did not finish within %llu cycles; waiting:\\n", (unsigned long long)max_cycles);
{nl.join(waiting)}
    return 3;
  }}
{nl.join(dump)}
  FILE *f = fopen((dir + "/stats.json").c_str(), "w");
  fprintf(f, "{{\\"cycles\\": %llu, \\"ports\\": {{", (unsigned long long)(last_out + 1));
  bool first = true;
{nl.join(stats)}
  fprintf(f, "}}}}\\n");
  fclose(f);
  top->final();
  delete top;
  return 0;
}}
"""
