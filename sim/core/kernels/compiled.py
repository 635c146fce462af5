"""The compiled loops (Numba); imported only through `sim.core.kernels`, which decides when
they run. Each function states the NumPy code it reproduces; the arithmetic is written out in
the same precision and order (no fast-math, no reassociation), so results are identical bit
for bit (tests/core/test_kernels.py). Compiled code is cached next to this file.
"""

from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


# ----------------------------------------------------------------- social graph by degree


@_jit
def fill_blocks(indptr, indices, rows, block_degree, block_row, block_col, cols):
    """Write each block's neighbour lists column by column: the k-th neighbour of the r-th
    row of block b goes to cols[block_col[b] + k * m_b + r] (m_b rows in the block)."""
    for b in range(block_degree.shape[0]):
        d = block_degree[b]
        first = block_row[b]
        m = block_row[b + 1] - first
        base = block_col[b]
        for r in range(m):
            start = indptr[rows[first + r]]
            for k in range(d):
                cols[base + k * m + r] = indices[start + k]


@_jit
def _block_sums(x, rows, cols, first, m, d, base, acc):
    """acc[r] = x[c_0] + x[c_1] + ... over the d neighbours of the block's r-th row, added
    from 0 in the CSR order (as scipy's csr_matvec, each weight being 1)."""
    for r in range(m):
        acc[r] = np.float32(0.0)
    for k in range(d):
        off = base + k * m
        for r in range(m):
            acc[r] += x[cols[off + r]]


@_jit
def group_payoffs(
    block_degree,
    block_row,
    block_col,
    rows,
    cols,
    indptr,
    cooperate,
    r,
    cost,
    per_individual,
    per_group,
    share,
    acc,
    out,
):
    """`participation._payoffs` in float32, with `r` and `cost` float32 arrays of length n or
    1 (a scalar):

        invest = cooperate * cost;  per_group = invest / size (per individual) or invest
        paid = invest (per individual) or invest * size
        pot = A @ per_group + per_group;  share = r * pot / size
        out = A @ share + share - paid

    A group's size is its centre's degree + 1 (from the CSR's `indptr`). Each product is
    summed block by block and written to its rows; the arithmetic around the products runs
    in the rows' own order, in loops without look-ups that the compiler turns into vector
    instructions (the same operations in the same order)."""
    n = indptr.shape[0] - 1
    r_one = r.shape[0] == 1
    cost_one = cost.shape[0] == 1
    zero = np.float32(0.0)
    for i in range(n):
        invest = (cost[0] if cost_one else cost[i]) if cooperate[i] else zero
        size = np.float32(indptr[i + 1] - indptr[i] + 1)
        per_group[i] = invest / size if per_individual else invest
    _product(block_degree, block_row, block_col, rows, cols, per_group, acc, share)
    for i in range(n):  # share = r * (A @ per_group + per_group) / size
        size = np.float32(indptr[i + 1] - indptr[i] + 1)
        share[i] = (r[0] if r_one else r[i]) * (share[i] + per_group[i]) / size
    _product(block_degree, block_row, block_col, rows, cols, share, acc, out)
    for i in range(n):  # out = (A @ share + share) - paid
        invest = (cost[0] if cost_one else cost[i]) if cooperate[i] else zero
        size = np.float32(indptr[i + 1] - indptr[i] + 1)
        out[i] = (out[i] + share[i]) - (invest if per_individual else invest * size)


@_jit
def _product(block_degree, block_row, block_col, rows, cols, x, acc, out):
    """out = A @ x for the unweighted graph regrouped by degree: each block's sums
    (`_block_sums`), written to the block's rows."""
    for b in range(block_degree.shape[0]):
        d = block_degree[b]
        first = block_row[b]
        m = block_row[b + 1] - first
        _block_sums(x, rows, cols, first, m, d, block_col[b], acc)
        for j in range(m):
            out[rows[first + j]] = acc[j]


@_jit
def imitate(indptr, indices, focal, u_pick, u_adopt, payoffs, max_diff, cooperate, new):
    """`participation._imitate` after its draws: each focal node x picks the neighbour in
    edge slot indptr[x] + floor(u k_x) and adopts its strategy if P_y > P_x and
    u_adopt * M < P_y - P_x (payoffs compared in float64). `new` holds a copy of
    `cooperate`; `max_diff` has length 1 (a scalar) or one value per edge."""
    last = indices.shape[0] - 1
    md_one = max_diff.shape[0] == 1
    for t in range(focal.shape[0]):
        x = focal[t]
        start = indptr[x]
        d = indptr[x + 1] - start
        if d <= 0:
            continue
        offset = np.int64(u_pick[t] * d)
        if offset > d - 1:
            offset = d - 1
        edge = start + offset
        if edge > last:
            edge = last
        y = indices[edge]
        diff = np.float64(payoffs[y]) - np.float64(payoffs[x])
        m = max_diff[0] if md_one else max_diff[edge]
        if diff > 0 and u_adopt[t] * m < diff:
            new[x] = cooperate[y]


@_jit
def below(u, threshold):
    """`np.flatnonzero(u < threshold)` without a branch per value: one pass counts, the
    next writes every index and moves on only past one below the threshold (the threshold
    is passed in the type NumPy compares in)."""
    count = 0
    for i in range(u.shape[0]):
        count += u[i] < threshold
    out = np.empty(count + 1, np.int64)
    k = 0
    for i in range(u.shape[0]):
        out[k] = i
        k += u[i] < threshold
    return out[:count]


# ----------------------------------------------------------------- resident passes


@_jit
def segment_counts(flags, start, out):
    """out[s] = how many of flags[start[s]:start[s + 1]] are true (`Residents.per_community`
    of a boolean array: whole numbers, so the order of adding does not matter)."""
    for s in range(start.shape[0] - 1):
        count = 0
        for i in range(start[s], start[s + 1]):
            count += flags[i]
        out[s] = count


@_jit
def satisfaction_and_trust(
    compound_start,
    community_of_compound,
    need,
    met,
    satisfaction,
    trust,
    target_c,
    w_needs,
    sat_rate,
    rate,
    party_c,
    oc_signal_c,
    oc_rate_c,
    quality_c,
    ngo_rate_m,
    community_met_m,
    columns,
):
    """`satisfaction.step`'s resident arrays in one pass (float32 throughout), residents in
    compound order: needs met, then satisfaction and each trust moving toward its signal,
    t + (s - t) * rate. `columns` gives the trust columns of party, RC, OC, firm, NGO and
    street."""
    party, rc, oc, firm, ngo, street = (
        columns[0],
        columns[1],
        columns[2],
        columns[3],
        columns[4],
        columns[5],
    )
    tiny = np.float32(1e-12)
    one = np.float32(1.0)
    for c in range(compound_start.shape[0] - 1):
        m = community_of_compound[c]
        tc = target_c[c]
        ps, os_, orate, q = party_c[c], oc_signal_c[c], oc_rate_c[c], quality_c[c]
        nrate, cmet = ngo_rate_m[m], community_met_m[m]
        for i in range(compound_start[c], compound_start[c + 1]):
            n0, n1, n2 = need[i, 0], need[i, 1], need[i, 2]
            care_legal_need = n1 + n2
            care_legal_met = met[i, 1] * n1 + met[i, 2] * n2
            total_need = n0 + care_legal_need
            met_hours = met[i, 0] * n0 + care_legal_met
            if total_need > 0:
                needs_met = met_hours / (total_need if total_need > tiny else tiny)
            else:
                needs_met = one
            if care_legal_need > 0:
                denom = care_legal_need if care_legal_need > tiny else tiny
                ngo_signal = care_legal_met / denom
            else:
                ngo_signal = one
            target = tc + w_needs * needs_met
            s = satisfaction[i]
            satisfaction[i] = s + (target - s) * sat_rate
            t = trust[i, party]
            trust[i, party] = t + (ps - t) * rate
            t = trust[i, rc]
            trust[i, rc] = t + (needs_met - t) * rate
            t = trust[i, oc]
            trust[i, oc] = t + (os_ - t) * orate
            t = trust[i, firm]
            trust[i, firm] = t + (q - t) * rate
            t = trust[i, ngo]
            trust[i, ngo] = t + (ngo_signal - t) * nrate
            t = trust[i, street]
            trust[i, street] = t + (cmet - t) * rate


@_jit
def allocate_services(community_start, need, weight, frac, carry, met, backlog):
    """The allocation loop of `services.step` (float32): for each resident and hour category
    k, share = min(frac[c, k] × weight, 1) of its need is met, carry × (need − share × need)
    is carried over. `weight` has length n or 1; `frac` is float32, communities × 3."""
    w_one = weight.shape[0] == 1
    one = np.float32(1.0)
    for c in range(community_start.shape[0] - 1):
        f0, f1, f2 = frac[c, 0], frac[c, 1], frac[c, 2]
        for i in range(community_start[c], community_start[c + 1]):
            w = weight[0] if w_one else weight[i]
            for k in range(3):
                f = f0 if k == 0 else (f1 if k == 1 else f2)
                s = f * w
                if s > one:
                    s = one
                met[i, k] = s
                nk = need[i, k]
                backlog[i, k] = (nk - s * nk) * carry


@_jit
def pay_fees(heads, compound, quality, noise, z, tolerance, served, area, pays, paid, paid_area):
    """`property_management.pay_fees` after its draws: owner household t (resident
    heads[t], in compound c) pays if quality[c] + noise × z[t] ≥ its tolerance and a firm
    serves c; counts and paid area per compound are added in the heads' order, as
    np.bincount does."""
    for t in range(heads.shape[0]):
        i = heads[t]
        c = compound[i]
        perceived = quality[c] + noise * z[t]
        ok = perceived >= tolerance[i] and served[c]
        pays[i] = ok
        if ok:
            paid[c] += 1.0
            paid_area[c] += area[i]


@_jit
def voting_chances(
    participates,
    turnout_participant,
    party_member,
    reach,
    compound,
    age_band,
    availability,
    head_reach,
    owner,
    tenant_attachment,
    trust,
    trust_neutral,
    adult,
    chance,
    mobilised,
):
    """`elections.voting_chances` per resident i in float32, in the NumPy code's order:
    own = participates × turnout_participant; party = party_member × reach[compound];
    heads = availability[age band] × head_reach × (1 or tenant_attachment) ×
    min(trust / trust_neutral, 1) (NaN kept, as np.minimum does);
    chance = (1 − (1 − own)(1 − party)(1 − heads)) × adult; mobilised = party × adult.
    The two look-ups by compound and age band come first, into `chance` and `mobilised`,
    so that the arithmetic runs as one loop without look-ups, which the compiler turns
    into vector instructions (three times faster; the same operations in the same order)."""
    one, zero = np.float32(1.0), np.float32(0.0)
    for i in range(participates.shape[0]):
        chance[i] = reach[compound[i]]
        mobilised[i] = availability[age_band[i]]
    for i in range(participates.shape[0]):
        own = (one if participates[i] else zero) * turnout_participant
        party = (one if party_member[i] else zero) * chance[i]
        heads = mobilised[i] * head_reach
        heads = heads * (one if owner[i] else tenant_attachment)
        ratio = trust[i] / trust_neutral
        heads = heads * (one if ratio >= one else ratio)
        a = one if adult[i] else zero
        chance[i] = (one - (one - own) * (one - party) * (one - heads)) * a
        mobilised[i] = party * a


# ------------------------------------------------------------------ people's workload


@_jit
def group_by_holder(holder, n_people):
    """(order, start) of `coordination.seats_by_holder`: the filled seats grouped by holder
    by a counting sort (each holder's in seat order, the order NumPy's stable sort gives),
    person h's at order[start[h]:start[h + 1]]."""
    start = np.zeros(n_people + 1, dtype=np.int64)
    for s in range(holder.shape[0]):
        if holder[s] >= 0:
            start[holder[s] + 1] += 1
    for i in range(n_people):
        start[i + 1] += start[i]
    order = np.empty(start[n_people], dtype=np.int64)
    fill = start[:n_people].copy()
    for s in range(holder.shape[0]):
        if holder[s] >= 0:
            order[fill[holder[s]]] = s
            fill[holder[s]] += 1
    return order, start


@_jit
def loads(by_holder, holder_start, asked, later, extra, hours, penalty, load, performance):
    """`workload.loads` after the hours each seat asks (`asked`): person h's load is the sum,
    in order and from 0, of the hours of h's seats (`by_holder`, h's at
    holder_start[h]:holder_start[h + 1], in seat order), the most demanding first (ties in
    seat order) and every later one × `later`, plus h's `extra` hours, over h's hours (at
    least 1e-9); performance is 1 / (1 + penalty × max(load − 1, 0)). People after those
    `holder_start` covers hold no seat."""
    grouped = holder_start.shape[0] - 1
    mine = np.empty(by_holder.shape[0], dtype=np.int64)
    for h in range(load.shape[0]):
        size = holder_start[h + 1] - holder_start[h] if h < grouped else 0
        for j in range(size):  # a stable insertion sort, most demanding first
            s = by_holder[holder_start[h] + j]
            t = j
            while t > 0 and asked[mine[t - 1]] < asked[s]:
                mine[t] = mine[t - 1]
                t -= 1
            mine[t] = s
        total = 0.0
        for j in range(size):
            total += asked[mine[j]] if j == 0 else asked[mine[j]] * later
        total += extra[h]
        load[h] = total / max(hours[h], 1e-9)
        performance[h] = 1.0 / (1.0 + penalty * max(load[h] - 1.0, 0.0))


# ------------------------------------------------------------------ coordination paths


@_jit
def link_graph(u, v, factor, by_holder, holder_start, node, performance, shared, xa_keys, n):
    """`coordination._link_rows` of the standing links (u, v, factor) and the links of
    `coordination.shared_links`, as (indptr, indices, data): the symmetric CSR over `n`
    nodes, each row's columns sorted, each pair once with its largest factor. A shared link
    joins two different nodes of one person's seats (`by_holder`, person h's at
    holder_start[h]:holder_start[h + 1]) that a cross-appointment edge joins (key
    min × n + max in the sorted `xa_keys`), with the factor `shared` × that person's
    performance: the largest over a pair's people is that of its best performer, since a
    product by the same positive number keeps the order of the numbers multiplied. The
    entries are placed by column, then by row (two counting sorts, no comparisons), so each
    row's columns come out sorted with a pair's duplicates side by side."""
    n_people = holder_start.shape[0] - 1
    n_shared = 0  # pairs of one person's seats: room for every shared link
    for h in range(n_people):
        seats = holder_start[h + 1] - holder_start[h]
        n_shared += seats * (seats - 1) // 2
    size = 2 * (u.shape[0] + n_shared)
    row = np.empty(size, dtype=np.int64)
    col = np.empty(size, dtype=np.int64)
    val = np.empty(size)
    m = 0
    for k in range(u.shape[0]):  # every link both ways
        row[m], col[m], val[m] = u[k], v[k], factor[k]
        row[m + 1], col[m + 1], val[m + 1] = v[k], u[k], factor[k]
        m += 2
    for h in range(n_people):
        for q in range(holder_start[h], holder_start[h + 1]):
            a = node[by_holder[q]]
            for r in range(q + 1, holder_start[h + 1]):
                b = node[by_holder[r]]
                if a != b and _has_key(xa_keys, min(a, b) * n + max(a, b)):
                    f = shared * np.float64(performance[h])
                    row[m], col[m], val[m] = a, b, f
                    row[m + 1], col[m + 1], val[m + 1] = b, a, f
                    m += 2
    # by column, then (stably) by row: each row's entries in column order
    start = np.zeros(n + 1, dtype=np.int64)
    for k in range(m):
        start[col[k] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    by_col = np.empty(m, dtype=np.int64)
    for k in range(m):
        by_col[start[col[k]]] = k
        start[col[k]] += 1
    start[:] = 0
    for k in range(m):
        start[row[k] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    sorted_col = np.empty(m, dtype=np.int64)
    sorted_val = np.empty(m)
    for t in range(m):
        k = by_col[t]
        sorted_col[start[row[k]]], sorted_val[start[row[k]]] = col[k], val[k]
        start[row[k]] += 1
    # start[i] is now the end of row i; merge each row's duplicates, keeping the largest
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(m, dtype=np.int64)
    data = np.empty(m)
    out = 0
    lo = 0
    for i in range(n):
        for j in range(lo, start[i]):
            if out > indptr[i] and indices[out - 1] == sorted_col[j]:
                data[out - 1] = max(data[out - 1], sorted_val[j])
            else:
                indices[out], data[out] = sorted_col[j], sorted_val[j]
                out += 1
        indptr[i + 1] = out
        lo = start[i]
    return indptr, indices[:out].copy(), data[:out].copy()


@_jit
def path_lengths(indptr, indices, weights, limit, source, target, out):
    """out[k] = the length of the shortest path from source[k] to target[k] over the CSR
    graph (rows are out-links with positive `weights`), inf where it is longer than `limit`;
    the pairs are sorted by source, and each source is searched once. This is
    scipy.sparse.csgraph.dijkstra(graph, indices=..., limit=limit) read at the targets: a
    node's length is the least of (a scanned neighbour's length + the link's weight) over
    its neighbours, kept if at most `limit` — a value that does not depend on the order in
    which nodes of equal length are scanned, so the lengths are identical bit for bit. The
    search visits only the nodes within the limit and resets only those, and it stops once
    every target of its source is scanned (a scanned node's length is final)."""
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    scanned = np.zeros(n, dtype=np.bool_)
    wanted = np.zeros(n, dtype=np.bool_)  # this source's targets not yet scanned
    seen = np.empty(n, dtype=np.int64)  # nodes whose length was set by this search
    heap_key = np.empty(indices.shape[0] + 1)
    heap_node = np.empty(indices.shape[0] + 1, dtype=np.int64)
    k = 0
    while k < source.shape[0]:
        s = source[k]
        pending = 0
        last = k
        while last < source.shape[0] and source[last] == s:
            if not wanted[target[last]]:
                wanted[target[last]] = True
                pending += 1
            last += 1
        size = 0
        n_seen = 0
        dist[s] = 0.0
        seen[n_seen] = s
        n_seen += 1
        heap_key[0], heap_node[0], size = 0.0, s, 1
        while size > 0:
            d, v = heap_key[0], heap_node[0]
            size -= 1  # pop: move the last entry to the root and sift it down
            key, node = heap_key[size], heap_node[size]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                if c + 1 < size and heap_key[c + 1] < heap_key[c]:
                    c += 1
                if heap_key[c] >= key:
                    break
                heap_key[i], heap_node[i] = heap_key[c], heap_node[c]
                i = c
            if size > 0:
                heap_key[i], heap_node[i] = key, node
            if scanned[v]:
                continue  # an older entry of a node already scanned
            scanned[v] = True
            if wanted[v]:
                wanted[v] = False
                pending -= 1
                if pending == 0:
                    break  # every target's length is final
            for j in range(indptr[v], indptr[v + 1]):
                u = indices[j]
                if scanned[u]:
                    continue
                nd = d + weights[j]
                if nd <= limit and nd < dist[u]:
                    if dist[u] == np.inf:
                        seen[n_seen] = u
                        n_seen += 1
                    dist[u] = nd
                    i = size  # push: sift the new entry up
                    size += 1
                    while i > 0:
                        parent = (i - 1) // 2
                        if heap_key[parent] <= nd:
                            break
                        heap_key[i], heap_node[i] = heap_key[parent], heap_node[parent]
                        i = parent
                    heap_key[i], heap_node[i] = nd, u
        while k < last:
            out[k] = dist[target[k]]
            wanted[target[k]] = False  # targets beyond the limit were never scanned
            k += 1
        for i in range(n_seen):
            dist[seen[i]] = np.inf
            scanned[seen[i]] = False


# ----------------------------------------------------------------- organisations' checks


@_jit
def _has_key(keys, key):
    """Whether the sorted array `keys` of distinct values holds `key`: a binary search whose
    steps choose without a branch (the keys a month looks up are new to the processor's
    branch predictor)."""
    size = keys.shape[0]
    if size == 0:
        return False
    lo = 0
    while size > 1:  # keys[lo] <= key, if any key is, and the last such key is in [lo, lo + size)
        half = size >> 1
        lo = lo + half if keys[lo + half] <= key else lo
        size -= half
    return keys[lo] == key


@_jit
def seat_conflicts(
    seat_ids,
    supervised,
    holder,
    node,
    by_holder,
    holder_start,
    xa_keys,
    allied_keys,
    n_nodes,
    direct_loss,
    ally_loss,
    out,
):
    """`coordination.seat_conflicts` after its caches: for each pair (seat_ids[k],
    supervised[k]), the largest loss (from 0) over the other seats of the seat's holder
    (`by_holder`: filled seats sorted by holder, person h's at
    holder_start[h]:holder_start[h + 1]): a seat on another node tied to the seat's own by a
    cross-appointment edge (key min × n + max in the sorted `xa_keys`) loses `direct_loss`
    if that node is the supervised one, `ally_loss` if it is tied to it in `allied_keys`."""
    for k in range(seat_ids.shape[0]):
        h = holder[seat_ids[k]]
        best = 0.0
        if h >= 0:
            own = node[seat_ids[k]]
            target = supervised[k]
            for q in range(holder_start[h], holder_start[h + 1]):
                other = node[by_holder[q]]
                if other == own:
                    continue
                if not _has_key(xa_keys, min(own, other) * n_nodes + max(own, other)):
                    continue
                if other == target:
                    loss = direct_loss
                elif _has_key(allied_keys, min(other, target) * n_nodes + max(other, target)):
                    loss = ally_loss
                else:
                    loss = 0.0
                if loss > best:
                    best = loss
        out[k] = best
