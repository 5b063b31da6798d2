SELECT count(*) FROM claimed
