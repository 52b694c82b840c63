// Company names for the ids the API returns, each fetched once per page load (an unreadable one shows its id).
const names = new Map();

export async function companyNames(api, ids) {
  for (const id of ids) {
    if (!names.has(id)) names.set(id, api("GET", `/v1/companies/${id}`).then((c) => c.name, () => id));
  }
  const found = await Promise.all(ids.map((id) => names.get(id)));
  return new Map(ids.map((id, i) => [id, found[i]]));
}
