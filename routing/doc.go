// Package routing computes shortest paths on road networks: Dijkstra,
// bidirectional Dijkstra, A*, ALT (landmarks) and contraction hierarchies
// (CH) with many-to-many distance tables.
//
// # Graphs
//
// A [Graph] is a directed graph with non-negative integer weights in
// compressed sparse row form (forward and reverse arrays) with optional
// coordinates. Build one from arcs with [NewGraph] or load one:
//
//   - [ReadDIMACS]: the 9th DIMACS Implementation Challenge .gr/.co files;
//   - [ReadMETIS]: the METIS adjacency and .xyz coordinates of the 10th
//     DIMACS challenge, such as its Luxembourg street graph (weights are
//     Euclidean metres);
//   - [ReadOSM]: an OpenStreetMap PBF extract, with routable highway types,
//     oneway (including -1), maxspeed or per-type default speeds, travel
//     time or distance weights, reduced to its largest strongly connected
//     component ([LargestSCC]).
//
// Loaders report malformed input as [*ParseError] values with the line and
// reason; bad input never panics.
//
// # Algorithms and costs
//
// n is the number of nodes, m the number of arcs.
//
//   - [Search.Dijkstra]: Dijkstra with a 4-ary heap, stopping when the target
//     is settled; O((n+m) log n). [Search.OneToAll] builds a whole tree.
//   - [Search.Bidirectional]: forward and backward Dijkstra meeting in the
//     middle; about half the settled nodes.
//   - [Search.AStar]: A* with the straight-line (Euclidean or haversine)
//     distance, scaled by the smallest weight per metre so it is admissible.
//   - [Search.ALT]: A* with landmark lower bounds from the triangle
//     inequality (Goldberg and Harrelson 2005,
//     https://doi.org/10.1137/1.9781611972955.21), landmarks chosen by
//     farthest or avoid selection ([NewLandmarks]).
//   - [Contract] and [CHQuery]: contraction hierarchies (Geisberger et al.
//     2008, https://doi.org/10.1007/978-3-540-68552-4_24). Preprocessing
//     orders nodes by edge quotient, hop quotient (original arcs per
//     shortcut) and depth with lazy updates, and adds shortcuts where
//     limited witness searches find no alternative. Queries are bidirectional upward searches with
//     stall-on-demand that settle a few hundred nodes even on country-size
//     graphs; paths are unpacked into original arcs from in-memory copies
//     of every shortcut's interior nodes (shortcuts of up to 64 interior
//     nodes; longer ones split through the two child arcs each shortcut
//     records), with no searching and no allocation. [CHQuery.Distance]
//     runs the same search without unpacking. [CHQuery.Table]
//     computes many-to-many tables with buckets. [Hierarchy.WriteTo] and
//     [ReadHierarchy] save and load a hierarchy (versioned, checksummed);
//     [Hierarchy.Recontract] rebuilds the shortcuts for new weights (live
//     traffic) keeping the node order.
//
// Every point-to-point query returns a [Result] with the distance, the path
// as node IDs (coordinates through [Graph.AppendCoords]) and the number of
// settled nodes. Unknown nodes ([ErrUnknownNode]), unreachable targets
// ([ErrNoPath]) and negative weights ([ErrNegativeWeight]) are errors.
//
// # Concurrency
//
// [Graph], [Hierarchy] and [Landmarks] are immutable and safe for concurrent
// use. [Search] and [CHQuery] hold reusable per-query buffers (O(n) memory,
// no allocation per query once warm) and are not safe for concurrent use:
// give each goroutine its own.
//
// # Tests and data
//
// The tests check every algorithm against one-to-all Dijkstra trees on
// 10,000 seeded pairs (100 sources x 100 targets) of the Luxembourg
// DIMACS10 graph and of the Andorra OpenStreetMap extract (travel time),
// and check that every returned path is a chain of real arcs whose weights
// sum to the distance. Dijkstra, bidirectional, A* and ALT, which scan much
// of the graph per query, are checked on the first 10 targets of each
// source (1,000 pairs per graph). Under -race the sizes are 10 x 20 and 1. Set
// ROUTING_PAIRS=300 (sources and targets each) for a bigger run. The data
// sets are read from ../shared/data and the tests skip when it is absent.
//
// Map data © OpenStreetMap contributors, available under the Open Database
// License (https://www.openstreetmap.org/copyright). The Luxembourg graph is
// the DIMACS10 luxembourg.osm graph made from OpenStreetMap data.
//
// # Used by
//
// The maps system (examples/maps): nearest-node snapping, CH routes, ETA.
// Production routers built on the same ideas include OSRM, GraphHopper,
// Valhalla and RoutingKit.
package routing
