// Package quadtree is a dynamic point quadtree over latitude and longitude
// with a generic payload: insert, move, remove, and box, radius, count and
// k-nearest queries by great-circle distance.
//
// The tree is a PR (point-region) quadtree (Finkel and Bentley, "Quad
// trees: a data structure for retrieval on composite keys", Acta
// Informatica 4, 1974; Samet, "The quadtree and related hierarchical data
// structures", ACM Computing Surveys 16(2), 1984): the root cell is the
// globe, and a leaf holding more than Options.LeafSize points splits into
// four at its midpoint, so dense areas get small cells and empty oceans
// stay coarse. When a subtree falls to LeafSize/2 points it merges back
// into one leaf. [Load] builds a tree from a slice by partitioning in place.
//
// Each point keeps its unit vector, so radius and nearest tests are a
// squared chord comparison (exact great-circle order, no trigonometry per
// point). Radius queries visit the cells meeting the circle's bounding
// boxes ([geohash.CircleBounds], split at the antimeridian, full width over
// a pole); k-nearest is best-first search (Hjaltason and Samet, "Distance
// browsing in spatial databases", ACM TODS 24(2), 1999) over exact
// point-to-cell great-circle distances ([geohash.DistanceToBox]), so it is
// correct across the antimeridian and near the poles.
//
// # Costs
//
// With n points and depth d (about log4(n/LeafSize) on spread data, at most
// Options.MaxDepth): Insert O(d) amortised; Remove O(d); Move O(1) when the
// point stays in its leaf (updated in place: the common case for moving
// objects sampled often) and O(d) otherwise; box and radius queries
// O(d + cells met + results); CountBox adds whole cells inside the box
// without visiting their points; k-nearest visits O(log n + k) cells on
// typical data. Memory is about 80 bytes plus sizeof(T) per point, cells
// included (the benchmarks measure 87 bytes per point for T = int after
// [Load]). Queries append to a caller's slice and allocate nothing when it
// has room.
//
// # Concurrency
//
// A [Tree] is not safe for concurrent use with writers. Queries may run
// concurrently with one another (k-nearest scratch space is pooled), so a
// sync.RWMutex around the tree gives concurrent reads.
//
// # Who uses it
//
// The proximity service (nearby businesses) and nearby friends designs keep
// moving points in an in-memory quadtree per shard; see examples/proximity.
// Game servers, ride-hailing dispatch and map tile servers use the same
// structure.
package quadtree
