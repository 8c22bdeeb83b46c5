package routing

import "slices"

func sortFunc[T any](s []T, cmp func(a, b T) int) { slices.SortFunc(s, cmp) }
