-- Ratings of the public pages ("Quanto sono chiare le informazioni su questa
-- pagina?"): anonymous, for the statistics of the editorial office.
CREATE TABLE valutazioni (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    pagina     TEXT NOT NULL,
    lingua     TEXT NOT NULL,
    voto       INTEGER NOT NULL CHECK (voto BETWEEN 1 AND 5),
    motivo     TEXT NOT NULL DEFAULT '',
    commento   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX valutazioni_pagina ON valutazioni (pagina, created_at);
