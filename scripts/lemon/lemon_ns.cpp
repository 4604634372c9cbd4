// Reads a DIMACS min-cost-flow file and solves it with LEMON's NetworkSimplex (block search,
// the default pivot rule). Prints `s <objective>` (or `s infeasible` / `s unbounded`) and
// `c solve_seconds <t>`, where t covers building the solver, setting the maps and run(),
// not parsing -- the same span as `symbiosim solve-dimacs`. With a second argument REPS the
// solve is repeated REPS times and the minimum time is printed.
#include <lemon/smart_graph.h>
#include <lemon/network_simplex.h>
#include <lemon/dimacs.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

using namespace lemon;
typedef long long Int;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << "usage: lemon_ns FILE.min [REPS]" << std::endl;
    return 1;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "cannot open " << argv[1] << std::endl;
    return 1;
  }
  SmartDigraph g;
  SmartDigraph::ArcMap<Int> lower(g), cap(g), cost(g);
  SmartDigraph::NodeMap<Int> supply(g);
  readDimacsMin(in, g, lower, cap, cost, supply);
  bool has_lower = false;
  for (SmartDigraph::ArcIt a(g); a != INVALID; ++a) has_lower |= lower[a] != 0;

  int reps = argc > 2 ? std::atoi(argv[2]) : 1;
  double secs = 1e300;
  NetworkSimplex<SmartDigraph, Int, Int>::ProblemType r;
  Int total = 0;
  for (int i = 0; i < (reps < 1 ? 1 : reps); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    NetworkSimplex<SmartDigraph, Int, Int> ns(g);
    if (has_lower) ns.lowerMap(lower);
    ns.upperMap(cap).costMap(cost).supplyMap(supply);
    r = ns.run();
    auto t1 = std::chrono::steady_clock::now();
    double t = std::chrono::duration<double>(t1 - t0).count();
    if (t < secs) secs = t;
    if (r == NetworkSimplex<SmartDigraph, Int, Int>::OPTIMAL) total = ns.totalCost<Int>();
  }

  if (r == NetworkSimplex<SmartDigraph, Int, Int>::OPTIMAL) {
    std::printf("s %lld\n", total);
  } else if (r == NetworkSimplex<SmartDigraph, Int, Int>::INFEASIBLE) {
    std::printf("s infeasible\n");
  } else {
    std::printf("s unbounded\n");
  }
  std::printf("c solve_seconds %.6f\n", secs);
  return 0;
}
