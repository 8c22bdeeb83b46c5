//go:build !unix

package lsm

import (
	"errors"
	"os"
)

// mmapFile is not supported here; tables are read with ReadAt.
func mmapFile(*os.File, int64) ([]byte, error) {
	return nil, errors.New("lsm: memory mapping not supported")
}

func munmap([]byte) error { return nil }
